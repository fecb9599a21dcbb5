import { MICROS_PER_SECOND } from '../../model/time.js';

/** A duration the way the PIRs write it: `45s`, `3m5s`, `17m`, `2h33m`, `4h`. */
export function formatDuration(micros: number): string {
  const totalSeconds = Math.round(micros / MICROS_PER_SECOND);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return m ? `${h}h${m}m` : `${h}h`;
  if (m > 0) return s ? `${m}m${s}s` : `${m}m`;
  return `${s}s`;
}
