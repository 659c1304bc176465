import { type Dec, roundToTick, toDecimal } from '@openalgo/shared-types/decimal';
import { SEGMENT } from '../ticker-codec.js';

/**
 * A deterministic Kite instrument universe for the fake server: indices, equities (with -BE/-BL
 * series), index and stock futures and options (weekly and monthly trading-symbol formats),
 * currency (fractional strikes, 4-decimal ticks), commodities, and the GLOBAL/NSEIX index rows.
 * Same `today` and `count` → byte-identical dump. Tokens follow Kite's rule
 * `instrument_token = exchange_token << 8 | segment`.
 */

export interface FakeInstrument {
  instrumentToken: number;
  exchangeToken: number;
  tradingsymbol: string;
  name: string;
  /** `YYYY-MM-DD` or empty. */
  expiry: string;
  strike: Dec;
  tickSize: Dec;
  lotSize: number;
  instrumentType: 'EQ' | 'FUT' | 'CE' | 'PE';
  segment: string;
  exchange: string;
  /** Reference (previous close) price the market starts from. */
  basePrice: Dec;
  /** Spot price of the underlying, for derivatives (margins, option premiums). */
  underlyingPrice: Dec;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKLY_MONTH_CODES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'O', 'N', 'D'];

/** Real, liquid NSE names first, so tests read naturally; synthetic names fill the rest. */
const REAL_EQUITIES = [
  'RELIANCE',
  'SBIN',
  'INFY',
  'TCS',
  'HDFCBANK',
  'ICICIBANK',
  'M&M',
  'BAJAJ-AUTO',
  'ITC',
  'LT',
  'AXISBANK',
  'KOTAKBANK',
  'HINDUNILVR',
  'BHARTIARTL',
  'ASIANPAINT',
  'MARUTI',
  'SUNPHARMA',
  'TATAMOTORS',
  'TATASTEEL',
  'WIPRO',
  'HCLTECH',
  'ULTRACEMCO',
  'NESTLEIND',
  'POWERGRID',
  'NTPC',
  'ONGC',
  'COALINDIA',
  'ADANIENT',
  'ADANIPORTS',
  'BAJFINANCE',
  'BAJAJFINSV',
  'TITAN',
  'TECHM',
  'JSWSTEEL',
  'GRASIM',
  'HINDALCO',
  'DRREDDY',
  'CIPLA',
  'BRITANNIA',
  'EICHERMOT',
  'HEROMOTOCO',
  'DIVISLAB',
  'APOLLOHOSP',
  'INDUSINDBK',
  'SBILIFE',
  'HDFCLIFE',
  'UPL',
  'BPCL',
  'IOC',
  'VEDL',
  'IDEA',
  'YESBANK',
  'PNB',
  'BANKBARODA',
  'CANBK',
  'GAIL',
  'TATAPOWER',
  'DLF',
  'ZOMATO',
  'IRCTC',
];

interface IndexSpec {
  exchange: string;
  tradingsymbol: string;
  exchangeToken: number;
  price: string;
}

/** Index rows as Kite lists them (segment INDICES). NIFTY 50 is token 256265 = 1001 << 8 | 9. */
const INDICES: readonly IndexSpec[] = [
  { exchange: 'NSE', tradingsymbol: 'NIFTY 50', exchangeToken: 1001, price: '24000' },
  { exchange: 'NSE', tradingsymbol: 'NIFTY BANK', exchangeToken: 1016, price: '52000' },
  { exchange: 'NSE', tradingsymbol: 'NIFTY FIN SERVICE', exchangeToken: 1007, price: '23500' },
  { exchange: 'NSE', tradingsymbol: 'NIFTY MID SELECT', exchangeToken: 1125, price: '12500' },
  { exchange: 'NSE', tradingsymbol: 'NIFTY NEXT 50', exchangeToken: 1058, price: '70000' },
  { exchange: 'NSE', tradingsymbol: 'INDIA VIX', exchangeToken: 1034, price: '14.5' },
  { exchange: 'NSE', tradingsymbol: 'NIFTY IT', exchangeToken: 1019, price: '41000' },
  { exchange: 'BSE', tradingsymbol: 'SENSEX', exchangeToken: 1, price: '80000' },
  { exchange: 'BSE', tradingsymbol: 'BANKEX', exchangeToken: 12, price: '58000' },
  { exchange: 'BSE', tradingsymbol: 'SNSX50', exchangeToken: 51, price: '25500' },
  { exchange: 'BSE', tradingsymbol: 'AUTO', exchangeToken: 42, price: '55000' },
  { exchange: 'MCX', tradingsymbol: 'MCXCOMDEX', exchangeToken: 2001, price: '18500' },
  { exchange: 'GLOBAL', tradingsymbol: 'GIFT NIFTY', exchangeToken: 3001, price: '24100' },
  { exchange: 'NSEIX', tradingsymbol: 'GIFT NIFTY BANK', exchangeToken: 3002, price: '52100' },
];

interface UnderlyingSpec {
  name: string;
  spot: string;
  lotSize: number;
  strikeStep: string;
  strikes: number;
}

const NFO_INDEX_UNDERLYINGS: readonly UnderlyingSpec[] = [
  { name: 'NIFTY', spot: '24000', lotSize: 75, strikeStep: '50', strikes: 60 },
  { name: 'BANKNIFTY', spot: '52000', lotSize: 30, strikeStep: '100', strikes: 60 },
  { name: 'FINNIFTY', spot: '23500', lotSize: 65, strikeStep: '50', strikes: 40 },
  { name: 'MIDCPNIFTY', spot: '12500', lotSize: 120, strikeStep: '25', strikes: 40 },
];

const BFO_INDEX_UNDERLYINGS: readonly UnderlyingSpec[] = [
  { name: 'SENSEX', spot: '80000', lotSize: 20, strikeStep: '100', strikes: 50 },
  { name: 'BANKEX', spot: '58000', lotSize: 30, strikeStep: '100', strikes: 30 },
];

/** A small seeded PRNG (mulberry32): deterministic fake data without storing it. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

function isoDate(date: CalendarDate): string {
  return `${date.year}-${pad2(date.month)}-${pad2(date.day)}`;
}

function addDays(date: CalendarDate, days: number): CalendarDate {
  const utc = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() };
}

function weekday(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** The last `weekdayWanted` (0 = Sunday) of a month. */
function lastWeekdayOfMonth(year: number, month: number, weekdayWanted: number): CalendarDate {
  const last = new Date(Date.UTC(year, month, 0));
  let date: CalendarDate = { year, month, day: last.getUTCDate() };
  while (weekday(date) !== weekdayWanted) {
    date = addDays(date, -1);
  }
  return date;
}

function compare(left: CalendarDate, right: CalendarDate): number {
  return left.year - right.year || left.month - right.month || left.day - right.day;
}

/** Monthly expiries (last `weekdayWanted` of each month) on or after today. */
function monthlyExpiries(today: CalendarDate, count: number, weekdayWanted: number): CalendarDate[] {
  const result: CalendarDate[] = [];
  let year = today.year;
  let month = today.month;
  while (result.length < count) {
    const expiry = lastWeekdayOfMonth(year, month, weekdayWanted);
    if (compare(expiry, today) >= 0) {
      result.push(expiry);
    }
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return result;
}

/** The next `count` weekly expiries on `weekdayWanted`, on or after today. */
function weeklyExpiries(today: CalendarDate, count: number, weekdayWanted: number): CalendarDate[] {
  const result: CalendarDate[] = [];
  let date = today;
  while (weekday(date) !== weekdayWanted) {
    date = addDays(date, 1);
  }
  while (result.length < count) {
    result.push(date);
    date = addDays(date, 7);
  }
  return result;
}

function uniqueSorted(dates: readonly CalendarDate[]): CalendarDate[] {
  return [...dates]
    .sort(compare)
    .filter(
      (date, position, all) => position === 0 || compare(all[position - 1] as CalendarDate, date) !== 0,
    );
}

function isLastExpiryOfMonth(expiry: CalendarDate, all: readonly CalendarDate[]): boolean {
  return !all.some(
    (other) => other.year === expiry.year && other.month === expiry.month && other.day > expiry.day,
  );
}

/** Kite's derivative trading symbols: monthly `NIFTY24DEC…`, weekly `NIFTY24D05…`. */
function derivativeSymbol(name: string, expiry: CalendarDate, isMonthly: boolean, suffix: string): string {
  const year = pad2(expiry.year % 100);
  const month = MONTHS[expiry.month - 1] as string;
  if (isMonthly) {
    return `${name}${year}${month}${suffix}`;
  }
  return `${name}${year}${WEEKLY_MONTH_CODES[expiry.month - 1]}${pad2(expiry.day)}${suffix}`;
}

class UniverseBuilder {
  readonly instruments: FakeInstrument[] = [];
  readonly #nextExchangeToken = new Map<number, number>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get isFull(): boolean {
    return this.instruments.length >= this.#limit;
  }

  add(
    row: Omit<FakeInstrument, 'instrumentToken' | 'exchangeToken'> & { exchangeToken?: number },
    segmentId: number,
  ): void {
    if (this.isFull) {
      return;
    }
    const exchangeToken = row.exchangeToken ?? this.#next(segmentId);
    this.instruments.push({ ...row, exchangeToken, instrumentToken: exchangeToken * 256 + segmentId });
  }

  #next(segmentId: number): number {
    const next = this.#nextExchangeToken.get(segmentId) ?? 10_000;
    this.#nextExchangeToken.set(segmentId, next + 1);
    return next;
  }
}

function optionPremium(spot: Dec, strike: Dec, type: 'CE' | 'PE', tick: Dec): Dec {
  const intrinsic = type === 'CE' ? spot.sub(strike) : strike.sub(spot);
  const timeValue = spot.mul('0.004');
  const premium = (intrinsic.gt(0) ? intrinsic : toDecimal(0)).add(timeValue);
  const rounded = roundToTick(premium, tick, 'nearest');
  return rounded.gt(0) ? rounded : tick;
}

function addDerivatives(
  builder: UniverseBuilder,
  exchange: string,
  segmentId: number,
  underlying: UnderlyingSpec,
  expiries: readonly CalendarDate[],
  futureExpiries: readonly CalendarDate[],
  tick: Dec,
): void {
  const spot = toDecimal(underlying.spot);
  for (const expiry of futureExpiries) {
    builder.add(
      {
        tradingsymbol: derivativeSymbol(underlying.name, expiry, true, 'FUT'),
        name: underlying.name,
        expiry: isoDate(expiry),
        strike: toDecimal(0),
        tickSize: tick,
        lotSize: underlying.lotSize,
        instrumentType: 'FUT',
        segment: `${exchange}-FUT`,
        exchange,
        basePrice: roundToTick(spot.mul('1.002'), tick, 'nearest'),
        underlyingPrice: spot,
      },
      segmentId,
    );
  }
  const step = toDecimal(underlying.strikeStep);
  const atm = roundToTick(spot, step, 'nearest');
  const half = Math.floor(underlying.strikes / 2);
  for (const expiry of expiries) {
    const isMonthly = isLastExpiryOfMonth(expiry, expiries);
    for (let offset = -half; offset < underlying.strikes - half; offset += 1) {
      const strike = atm.add(step.mul(offset));
      if (strike.lte(0)) {
        continue;
      }
      for (const type of ['CE', 'PE'] as const) {
        builder.add(
          {
            tradingsymbol: derivativeSymbol(
              underlying.name,
              expiry,
              isMonthly,
              `${strike.toString()}${type}`,
            ),
            name: underlying.name,
            expiry: isoDate(expiry),
            strike,
            tickSize: tick,
            lotSize: underlying.lotSize,
            instrumentType: type,
            segment: `${exchange}-OPT`,
            exchange,
            basePrice: optionPremium(spot, strike, type, tick),
            underlyingPrice: spot,
          },
          segmentId,
        );
      }
    }
  }
}

export interface UniverseOptions {
  /** The trading day the universe is generated for (expiries start here). */
  today: CalendarDate;
  /** Exact number of rows. */
  count: number;
  seed?: number;
}

const cache = new Map<string, FakeInstrument[]>();

/** Builds (and caches) the universe: the same inputs always give the same rows. */
export function buildUniverse(options: UniverseOptions): FakeInstrument[] {
  const key = `${isoDate(options.today)}|${options.count}|${options.seed ?? 1}`;
  const cached = cache.get(key);
  if (cached) {
    return cached;
  }
  const random = seededRandom(options.seed ?? 1);
  const builder = new UniverseBuilder(options.count);
  const tick = toDecimal('0.05');
  for (const index of INDICES) {
    builder.add(
      {
        exchangeToken: index.exchangeToken,
        tradingsymbol: index.tradingsymbol,
        name: index.tradingsymbol,
        expiry: '',
        strike: toDecimal(0),
        tickSize: toDecimal(0),
        lotSize: 0,
        instrumentType: 'EQ',
        segment: 'INDICES',
        exchange: index.exchange,
        basePrice: toDecimal(index.price),
        underlyingPrice: toDecimal(index.price),
      },
      SEGMENT.INDICES,
    );
  }
  // Equities: the real names, then synthetic ones; every tenth also lists a -BE series.
  const equityCount = Math.max(REAL_EQUITIES.length, Math.floor(options.count * 0.06));
  const equities: Array<{ name: string; price: Dec }> = [];
  for (let index = 0; index < equityCount; index += 1) {
    const name = REAL_EQUITIES[index] ?? `ZSTOCK${String(index).padStart(4, '0')}`;
    const price = roundToTick(toDecimal(Math.floor(50 + random() * 4950)), tick, 'nearest');
    equities.push({ name, price });
    for (const [exchange, segmentId] of [
      ['NSE', SEGMENT.NSE],
      ['BSE', SEGMENT.BSE],
    ] as const) {
      builder.add(
        {
          tradingsymbol: name,
          name: `${name.replace(/[^A-Z0-9& ]/g, ' ')} LIMITED`,
          expiry: '',
          strike: toDecimal(0),
          tickSize: tick,
          lotSize: 1,
          instrumentType: 'EQ',
          segment: exchange,
          exchange,
          basePrice: price,
          underlyingPrice: price,
        },
        segmentId,
      );
    }
    if (index % 10 === 3) {
      builder.add(
        {
          tradingsymbol: `${name}-BE`,
          name: `${name} LIMITED`,
          expiry: '',
          strike: toDecimal(0),
          tickSize: tick,
          lotSize: 1,
          instrumentType: 'EQ',
          segment: 'NSE',
          exchange: 'NSE',
          basePrice: price,
          underlyingPrice: price,
        },
        SEGMENT.NSE,
      );
    }
  }
  const today = options.today;
  // Index derivatives: weekly (Tuesday) options, monthly futures.
  const indexWeeklies = weeklyExpiries(today, 4, 2);
  const indexMonthlies = monthlyExpiries(today, 3, 2);
  const indexOptionExpiries = uniqueSorted([...indexWeeklies, ...indexMonthlies]);
  for (const underlying of NFO_INDEX_UNDERLYINGS) {
    addDerivatives(builder, 'NFO', SEGMENT.NFO, underlying, indexOptionExpiries, indexMonthlies, tick);
  }
  const bseWeeklies = weeklyExpiries(today, 3, 4);
  const bseMonthlies = monthlyExpiries(today, 2, 4);
  for (const underlying of BFO_INDEX_UNDERLYINGS) {
    addDerivatives(
      builder,
      'BFO',
      SEGMENT.BFO,
      underlying,
      uniqueSorted([...bseWeeklies, ...bseMonthlies]),
      bseMonthlies,
      tick,
    );
  }
  // Currency: fractional strikes, 4-decimal tick.
  const currencyTick = toDecimal('0.0025');
  const currencyMonthlies = monthlyExpiries(today, 3, 3);
  for (const [exchange, segmentId] of [
    ['CDS', SEGMENT.CDS],
    ['BCD', SEGMENT.BCD],
  ] as const) {
    addDerivatives(
      builder,
      exchange,
      segmentId,
      { name: 'USDINR', spot: '83.25', lotSize: 1000, strikeStep: '0.25', strikes: 20 },
      currencyMonthlies,
      currencyMonthlies,
      currencyTick,
    );
  }
  // Commodities.
  const commodityMonthlies = monthlyExpiries(today, 3, 4);
  for (const underlying of [
    { name: 'CRUDEOIL', spot: '6500', lotSize: 100, strikeStep: '50', strikes: 30 },
    { name: 'GOLD', spot: '72000', lotSize: 100, strikeStep: '100', strikes: 30 },
    { name: 'SILVER', spot: '85000', lotSize: 30, strikeStep: '250', strikes: 30 },
    { name: 'NATURALGAS', spot: '220', lotSize: 1250, strikeStep: '5', strikes: 30 },
  ]) {
    addDerivatives(builder, 'MCX', SEGMENT.MCX, underlying, commodityMonthlies, commodityMonthlies, tick);
  }
  addDerivatives(
    builder,
    'NCO',
    SEGMENT.MCXSX,
    { name: 'GOLDM', spot: '72000', lotSize: 10, strikeStep: '100', strikes: 10 },
    commodityMonthlies.slice(0, 1),
    commodityMonthlies,
    tick,
  );
  // Stock derivatives fill the universe up to the requested size.
  const stockMonthlies = monthlyExpiries(today, 3, 4);
  let stockIndex = 0;
  while (!builder.isFull && stockIndex < equities.length) {
    const equity = equities[stockIndex] as { name: string; price: Dec };
    const step = equity.price.gt(2000)
      ? '20'
      : equity.price.gt(500)
        ? '10'
        : equity.price.gt(100)
          ? '5'
          : '1';
    addDerivatives(
      builder,
      'NFO',
      SEGMENT.NFO,
      {
        name: equity.name,
        spot: equity.price.toString(),
        lotSize: Math.max(1, Math.round(500_000 / Number(equity.price.toString()) / 25) * 25),
        strikeStep: step,
        strikes: 40,
      },
      stockMonthlies,
      stockMonthlies,
      tick,
    );
    stockIndex += 1;
  }
  const instruments = builder.instruments;
  cache.set(key, instruments);
  return instruments;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvNumber(value: Dec): string {
  const text = value.toString();
  return text.includes('.') ? text : `${text}.0`;
}

export const KITE_CSV_HEADER =
  'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';

/** One instrument as a line of Kite's dump. */
export function toCsvLine(instrument: FakeInstrument): string {
  return [
    String(instrument.instrumentToken),
    String(instrument.exchangeToken),
    csvField(instrument.tradingsymbol),
    csvField(instrument.name),
    csvNumber(instrument.basePrice),
    instrument.expiry,
    csvNumber(instrument.strike),
    csvNumber(instrument.tickSize),
    String(instrument.lotSize),
    instrument.instrumentType,
    instrument.segment,
    instrument.exchange,
  ].join(',');
}
