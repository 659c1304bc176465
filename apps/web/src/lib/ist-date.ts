/** IST calendar dates for API date fields (`YYYY-MM-DD`), computed at the edge with Intl. */
const dateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Kolkata',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export function istDate(epochMs: number): string {
  return dateFormat.format(new Date(epochMs));
}

export function istDaysAgo(now: number, days: number): string {
  return istDate(now - days * 86_400_000);
}

const INTERVAL_SECONDS: Record<string, number> = { '1m': 60, '5m': 300, '15m': 900, '1h': 3_600, D: 86_400 };

export function intervalSeconds(interval: string): number {
  return INTERVAL_SECONDS[interval] ?? 60;
}
