#!/bin/sh
# Regenerate test/data/goroutines/go-sigquit-{all,system}.txt: real Go runtime SIGQUIT dumps
# of a tiny program whose goroutines block in select, chan receive/send, sync.Mutex, sync.Cond,
# a pipe read (syscall/IO), sleep and a WaitGroup. Needs `go` (Debian: apt-get install golang-go).
# Run once; the outputs are committed so tests do not need Go.
set -eu
cd "$(dirname "$0")/.."
out=test/data/goroutines
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/main.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

type store struct{ mu sync.Mutex }

func (s *store) lockForever(wg *sync.WaitGroup) { wg.Done(); s.mu.Lock() }

func waitSelect(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

func main() {
	var ready sync.WaitGroup
	s := &store{}
	s.mu.Lock()
	for i := 0; i < 3; i++ {
		ready.Add(1)
		go s.lockForever(&ready)
	}
	a, b := make(chan int), make(chan int)
	for i := 0; i < 2; i++ {
		go waitSelect(a, b)
	}
	go func() { <-a }()
	go func() { b <- 1 }()
	cond := sync.NewCond(&sync.Mutex{})
	go func() { cond.L.Lock(); cond.Wait() }()
	r, _, _ := os.Pipe()
	go func() { buf := make([]byte, 1); _, _ = r.Read(buf) }()
	go func() { time.Sleep(time.Hour) }()
	ready.Wait()
	time.Sleep(200 * time.Millisecond)
	fmt.Println("ready")
	var never sync.WaitGroup
	never.Add(1)
	never.Wait()
}
GO
cat > "$work/go.mod" <<'GO'
module example.com/blocker

go 1.19
GO
(cd "$work" && GOFLAGS=-mod=mod go build -trimpath -o blocker .)
for level in all system; do
	GOTRACEBACK=$level "$work/blocker" > "$work/stdout" 2> "$out/go-sigquit-$level.txt" &
	pid=$!
	i=0
	until grep -q ready "$work/stdout" 2>/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -QUIT "$pid"
	wait "$pid" || true
done
go version > "$out/go-sigquit.version"
