/**
 * Gives back the string it returned before for an equal text, among the last `ways`
 * distinct ones. Log lines repeat a handful of hosts and identifiers, and the store keys its
 * maps by them: a string V8 has hashed once is found again without hashing its characters
 * anew, while a fresh slice of every line is hashed on every lookup.
 */
export class RecentStrings {
  private readonly seen: string[] = [];
  private last = '';
  private next = 0;

  constructor(private readonly ways = 16) {}

  get(text: string): string {
    if (text === this.last) return this.last;
    const seen = this.seen;
    for (let i = 0; i < seen.length; i++) {
      if (seen[i] === text) return (this.last = seen[i] as string);
    }
    if (seen.length < this.ways) {
      seen.push(text);
    } else {
      seen[this.next] = text;
      this.next = (this.next + 1) % this.ways;
    }
    return (this.last = text);
  }
}
