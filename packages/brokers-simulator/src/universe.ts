import { TZDate } from '@date-fns/tz';
import {
  buildFutureSymbol,
  buildOptionSymbol,
  type Exchange,
  type ExpiryDate,
  formatExpiry,
  type InstrumentType,
  type OptionType,
} from '@openalgo/shared-types';

/**
 * The simulator's instrument universe, generated from the current date: large NSE/BSE
 * equities, the main indices, their futures and weekly + monthly option chains, and a few MCX
 * and CDS contracts, all in OpenAlgo's symbol format.
 *
 * Prices are integers in units of 1/10,000 rupee ("pips") so every tick size (0.05, 0.0025, 1)
 * is an exact integer and no float ever reaches an order or a P&L figure.
 */
export const PIPS_PER_RUPEE = 10_000;

export interface SimInstrument {
  /** Index into the universe array; also the numeric broker token. */
  index: number;
  token: string;
  symbol: string;
  exchange: Exchange;
  name: string;
  instrumentType: InstrumentType;
  lotSize: number;
  tickPips: number;
  /** Starting price in pips. */
  basePips: number;
  /** Annualised volatility used for its price path. */
  volatility: number;
  expiry?: ExpiryDate;
  /** 15:30 IST on the expiry date, epoch ms (derivatives). */
  expiryMs?: number;
  strikePips?: number;
  optionType?: OptionType;
  /** For derivatives: the instrument whose price drives this one. */
  underlyingIndex?: number;
}

interface EquitySeed {
  symbol: string;
  name: string;
  price: number;
  bse?: boolean;
  futures?: boolean;
  lot?: number;
}

const EQUITIES: readonly EquitySeed[] = [
  { symbol: 'RELIANCE', name: 'RELIANCE INDUSTRIES', price: 1420, bse: true, futures: true, lot: 500 },
  { symbol: 'TCS', name: 'TATA CONSULTANCY SERVICES', price: 3450, bse: true, futures: true, lot: 175 },
  { symbol: 'HDFCBANK', name: 'HDFC BANK', price: 1720, bse: true, futures: true, lot: 550 },
  { symbol: 'INFY', name: 'INFOSYS', price: 1520, bse: true, futures: true, lot: 400 },
  { symbol: 'ICICIBANK', name: 'ICICI BANK', price: 1380, bse: true, futures: true, lot: 700 },
  { symbol: 'SBIN', name: 'STATE BANK OF INDIA', price: 820, bse: true, futures: true, lot: 750 },
  { symbol: 'BHARTIARTL', name: 'BHARTI AIRTEL', price: 1890, bse: true, futures: true, lot: 475 },
  { symbol: 'ITC', name: 'ITC', price: 415, bse: true, futures: true, lot: 1600 },
  { symbol: 'LT', name: 'LARSEN & TOUBRO', price: 3620, bse: true, futures: true, lot: 175 },
  { symbol: 'HINDUNILVR', name: 'HINDUSTAN UNILEVER', price: 2450, bse: true, futures: true, lot: 300 },
  { symbol: 'KOTAKBANK', name: 'KOTAK MAHINDRA BANK', price: 2080, bse: true },
  { symbol: 'AXISBANK', name: 'AXIS BANK', price: 1160, bse: true },
  { symbol: 'BAJFINANCE', name: 'BAJAJ FINANCE', price: 935, bse: true },
  { symbol: 'MARUTI', name: 'MARUTI SUZUKI INDIA', price: 12650, bse: true },
  { symbol: 'M&M', name: 'MAHINDRA & MAHINDRA', price: 3240, bse: true },
  { symbol: 'SUNPHARMA', name: 'SUN PHARMACEUTICAL', price: 1710, bse: true },
  { symbol: 'TITAN', name: 'TITAN COMPANY', price: 3380, bse: true },
  { symbol: 'ASIANPAINT', name: 'ASIAN PAINTS', price: 2390, bse: true },
  { symbol: 'ULTRACEMCO', name: 'ULTRATECH CEMENT', price: 11900, bse: true },
  { symbol: 'NTPC', name: 'NTPC', price: 345 },
  { symbol: 'POWERGRID', name: 'POWER GRID CORPORATION', price: 298 },
  { symbol: 'ONGC', name: 'OIL AND NATURAL GAS CORPORATION', price: 246 },
  { symbol: 'TATAMOTORS', name: 'TATA MOTORS', price: 690 },
  { symbol: 'TATASTEEL', name: 'TATA STEEL', price: 162 },
  { symbol: 'JSWSTEEL', name: 'JSW STEEL', price: 1080 },
  { symbol: 'WIPRO', name: 'WIPRO', price: 248 },
  { symbol: 'HCLTECH', name: 'HCL TECHNOLOGIES', price: 1560 },
  { symbol: 'TECHM', name: 'TECH MAHINDRA', price: 1480 },
  { symbol: 'ADANIENT', name: 'ADANI ENTERPRISES', price: 2470 },
  { symbol: 'ADANIPORTS', name: 'ADANI PORTS AND SEZ', price: 1410 },
  { symbol: 'COALINDIA', name: 'COAL INDIA', price: 390 },
  { symbol: 'BAJAJ-AUTO', name: 'BAJAJ AUTO', price: 8850 },
  { symbol: 'HEROMOTOCO', name: 'HERO MOTOCORP', price: 5480 },
  { symbol: 'EICHERMOT', name: 'EICHER MOTORS', price: 6900 },
  { symbol: 'NESTLEIND', name: 'NESTLE INDIA', price: 1240 },
  { symbol: 'BRITANNIA', name: 'BRITANNIA INDUSTRIES', price: 5890 },
  { symbol: 'CIPLA', name: 'CIPLA', price: 1520 },
  { symbol: 'DRREDDY', name: 'DR. REDDYS LABORATORIES', price: 1260 },
  { symbol: 'DIVISLAB', name: 'DIVIS LABORATORIES', price: 6450 },
  { symbol: 'APOLLOHOSP', name: 'APOLLO HOSPITALS', price: 7350 },
  { symbol: 'GRASIM', name: 'GRASIM INDUSTRIES', price: 2790 },
  { symbol: 'HINDALCO', name: 'HINDALCO INDUSTRIES', price: 780 },
  { symbol: 'INDUSINDBK', name: 'INDUSIND BANK', price: 760 },
  { symbol: 'SBILIFE', name: 'SBI LIFE INSURANCE', price: 1980 },
  { symbol: 'HDFCLIFE', name: 'HDFC LIFE INSURANCE', price: 770 },
  { symbol: 'BPCL', name: 'BHARAT PETROLEUM', price: 365 },
  { symbol: 'SHRIRAMFIN', name: 'SHRIRAM FINANCE', price: 690 },
  { symbol: 'TRENT', name: 'TRENT', price: 4650 },
  { symbol: 'BEL', name: 'BHARAT ELECTRONICS', price: 412 },
  { symbol: 'ZOMATO', name: 'ETERNAL', price: 318 },
];

interface IndexSeed {
  symbol: string;
  exchange: 'NSE_INDEX' | 'BSE_INDEX';
  derivativeExchange: 'NFO' | 'BFO';
  name: string;
  price: number;
  lot: number;
  strikeStep: number;
  /** ISO weekday of expiry (1 = Monday … 7 = Sunday). */
  expiryWeekday: number;
  hasWeeklies: boolean;
  volatility: number;
}

const INDICES: readonly IndexSeed[] = [
  {
    symbol: 'NIFTY',
    exchange: 'NSE_INDEX',
    derivativeExchange: 'NFO',
    name: 'NIFTY 50',
    price: 26000,
    lot: 75,
    strikeStep: 50,
    expiryWeekday: 2,
    hasWeeklies: true,
    volatility: 0.13,
  },
  {
    symbol: 'BANKNIFTY',
    exchange: 'NSE_INDEX',
    derivativeExchange: 'NFO',
    name: 'NIFTY BANK',
    price: 58500,
    lot: 35,
    strikeStep: 100,
    expiryWeekday: 2,
    hasWeeklies: false,
    volatility: 0.15,
  },
  {
    symbol: 'FINNIFTY',
    exchange: 'NSE_INDEX',
    derivativeExchange: 'NFO',
    name: 'NIFTY FIN SERVICE',
    price: 27500,
    lot: 65,
    strikeStep: 50,
    expiryWeekday: 2,
    hasWeeklies: false,
    volatility: 0.14,
  },
  {
    symbol: 'SENSEX',
    exchange: 'BSE_INDEX',
    derivativeExchange: 'BFO',
    name: 'SENSEX',
    price: 85000,
    lot: 20,
    strikeStep: 100,
    expiryWeekday: 4,
    hasWeeklies: true,
    volatility: 0.13,
  },
];

interface CommoditySeed {
  symbol: string;
  exchange: 'MCX' | 'CDS';
  name: string;
  price: number;
  lot: number;
  tick: number;
  expiryDay: number;
  volatility: number;
}

const COMMODITIES: readonly CommoditySeed[] = [
  {
    symbol: 'CRUDEOIL',
    exchange: 'MCX',
    name: 'CRUDEOIL',
    price: 5400,
    lot: 100,
    tick: 1,
    expiryDay: 19,
    volatility: 0.3,
  },
  {
    symbol: 'CRUDEOILM',
    exchange: 'MCX',
    name: 'CRUDEOILM',
    price: 5400,
    lot: 10,
    tick: 1,
    expiryDay: 19,
    volatility: 0.3,
  },
  {
    symbol: 'GOLDM',
    exchange: 'MCX',
    name: 'GOLDM',
    price: 123000,
    lot: 10,
    tick: 1,
    expiryDay: 5,
    volatility: 0.14,
  },
  {
    symbol: 'SILVERM',
    exchange: 'MCX',
    name: 'SILVERM',
    price: 152000,
    lot: 5,
    tick: 1,
    expiryDay: 28,
    volatility: 0.22,
  },
  {
    symbol: 'NATURALGAS',
    exchange: 'MCX',
    name: 'NATURALGAS',
    price: 390,
    lot: 1250,
    tick: 0.1,
    expiryDay: 24,
    volatility: 0.5,
  },
  {
    symbol: 'USDINR',
    exchange: 'CDS',
    name: 'USDINR',
    price: 88.5,
    lot: 1000,
    tick: 0.0025,
    expiryDay: 26,
    volatility: 0.04,
  },
  {
    symbol: 'EURINR',
    exchange: 'CDS',
    name: 'EURINR',
    price: 102.3,
    lot: 1000,
    tick: 0.0025,
    expiryDay: 26,
    volatility: 0.06,
  },
];

export function toPips(rupees: number): number {
  // Seeds are written with at most 4 decimals; rounding here only removes binary noise.
  return Math.round(rupees * PIPS_PER_RUPEE);
}

function roundPipsToTick(pips: number, tickPips: number): number {
  return Math.max(tickPips, Math.round(pips / tickPips) * tickPips);
}

const IST = 'Asia/Kolkata';

function istDate(epochMs: number): { year: number; month: number; day: number; weekday: number } {
  const date = new TZDate(epochMs, IST);
  const weekday = date.getDay() === 0 ? 7 : date.getDay();
  return { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate(), weekday };
}

function dayNumber(date: ExpiryDate): number {
  return Date.UTC(date.year, date.month - 1, date.day) / 86_400_000;
}

function fromDayNumber(value: number): ExpiryDate {
  const date = new Date(value * 86_400_000);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function isoWeekday(date: ExpiryDate): number {
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

/** The last given weekday of a month. */
function lastWeekdayOfMonth(year: number, month: number, weekday: number): ExpiryDate {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  let day = dayNumber({ year, month, day: lastDay });
  while (isoWeekday(fromDayNumber(day)) !== weekday) {
    day -= 1;
  }
  return fromDayNumber(day);
}

function addMonths(year: number, month: number, count: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + count;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** Monthly expiries (last `weekday` of the month) from today on, `count` of them. */
function monthlyExpiries(today: ExpiryDate, weekday: number, count: number): ExpiryDate[] {
  const result: ExpiryDate[] = [];
  for (let offset = 0; result.length < count; offset += 1) {
    const { year, month } = addMonths(today.year, today.month, offset);
    const expiry = lastWeekdayOfMonth(year, month, weekday);
    if (dayNumber(expiry) >= dayNumber(today)) {
      result.push(expiry);
    }
  }
  return result;
}

/** The next `count` weekly expiries on `weekday`, today included. */
function weeklyExpiries(today: ExpiryDate, weekday: number, count: number): ExpiryDate[] {
  const result: ExpiryDate[] = [];
  let day = dayNumber(today);
  while (result.length < count) {
    const date = fromDayNumber(day);
    if (isoWeekday(date) === weekday) {
      result.push(date);
    }
    day += 1;
  }
  return result;
}

/** A fixed day of each month (moved back to a weekday). */
function fixedDayExpiries(today: ExpiryDate, day: number, count: number): ExpiryDate[] {
  const result: ExpiryDate[] = [];
  for (let offset = 0; result.length < count; offset += 1) {
    const { year, month } = addMonths(today.year, today.month, offset);
    let number = dayNumber({ year, month, day });
    while (isoWeekday(fromDayNumber(number)) > 5) {
      number -= 1;
    }
    const expiry = fromDayNumber(number);
    if (number >= dayNumber(today)) {
      result.push(expiry);
    }
  }
  return result;
}

export interface UniverseOptions {
  /** Strikes on each side of the at-the-money strike. */
  strikesEachSide?: number;
}

/** Builds the universe for the IST date of `now`. The same date always yields the same list. */
export function buildUniverse(now: number, options: UniverseOptions = {}): SimInstrument[] {
  const strikesEachSide = options.strikesEachSide ?? 20;
  const today = istDate(now);
  const instruments: SimInstrument[] = [];
  const add = (instrument: Omit<SimInstrument, 'index' | 'token'>): SimInstrument => {
    const index = instruments.length;
    const created = {
      ...instrument,
      index,
      token: String(100_001 + index),
      ...(instrument.expiry ? { expiryMs: expiryInstant(instrument.expiry) } : {}),
    };
    instruments.push(created);
    return created;
  };

  const equityIndex = new Map<string, number>();
  for (const seed of EQUITIES) {
    const tickPips = toPips(seed.price >= 2000 ? 0.1 : 0.05);
    const nse = add({
      symbol: seed.symbol,
      exchange: 'NSE',
      name: seed.name,
      instrumentType: 'EQ',
      lotSize: 1,
      tickPips,
      basePips: roundPipsToTick(toPips(seed.price), tickPips),
      volatility: 0.25,
    });
    equityIndex.set(seed.symbol, nse.index);
    if (seed.bse) {
      add({ ...nse, exchange: 'BSE', underlyingIndex: nse.index });
    }
  }

  for (const seed of INDICES) {
    const indexInstrument = add({
      symbol: seed.symbol,
      exchange: seed.exchange,
      name: seed.name,
      instrumentType: 'INDEX',
      lotSize: 1,
      tickPips: toPips(0.05),
      basePips: toPips(seed.price),
      volatility: seed.volatility,
    });
    const monthlies = monthlyExpiries(today, seed.expiryWeekday, 3);
    for (const expiry of monthlies) {
      add({
        symbol: buildFutureSymbol(seed.symbol, expiry),
        exchange: seed.derivativeExchange,
        name: seed.symbol,
        instrumentType: 'FUT',
        lotSize: seed.lot,
        tickPips: toPips(0.1),
        basePips: roundPipsToTick(toPips(seed.price * 1.004), toPips(0.1)),
        volatility: seed.volatility,
        expiry,
        underlyingIndex: indexInstrument.index,
      });
    }
    const optionExpiries = seed.hasWeeklies
      ? [
          ...new Map(
            [...weeklyExpiries(today, seed.expiryWeekday, 4), ...monthlies.slice(0, 2)].map((date) => [
              dayNumber(date),
              date,
            ]),
          ).values(),
        ]
      : monthlies;
    const atm = Math.round(seed.price / seed.strikeStep) * seed.strikeStep;
    for (const expiry of optionExpiries.sort((left, right) => dayNumber(left) - dayNumber(right))) {
      for (let offset = -strikesEachSide; offset <= strikesEachSide; offset += 1) {
        const strike = atm + offset * seed.strikeStep;
        for (const optionType of ['CE', 'PE'] as const) {
          add({
            symbol: buildOptionSymbol(seed.symbol, expiry, strike, optionType),
            exchange: seed.derivativeExchange,
            name: seed.symbol,
            instrumentType: optionType,
            lotSize: seed.lot,
            tickPips: toPips(0.05),
            basePips: toPips(1),
            volatility: seed.volatility,
            expiry,
            strikePips: toPips(strike),
            optionType,
            underlyingIndex: indexInstrument.index,
          });
        }
      }
    }
  }

  // Stock futures for the liquid names.
  for (const seed of EQUITIES.filter((equity) => equity.futures)) {
    const underlyingIndex = equityIndex.get(seed.symbol) as number;
    const underlying = instruments[underlyingIndex] as SimInstrument;
    for (const expiry of monthlyExpiries(today, 2, 3)) {
      add({
        symbol: buildFutureSymbol(seed.symbol, expiry),
        exchange: 'NFO',
        name: seed.symbol,
        instrumentType: 'FUT',
        lotSize: seed.lot ?? 1,
        tickPips: underlying.tickPips,
        basePips: roundPipsToTick(Math.round(underlying.basePips * 1.005), underlying.tickPips),
        volatility: 0.25,
        expiry,
        underlyingIndex,
      });
    }
  }

  for (const seed of COMMODITIES) {
    for (const expiry of fixedDayExpiries(today, seed.expiryDay, 2)) {
      const tickPips = toPips(seed.tick);
      add({
        symbol: buildFutureSymbol(seed.symbol, expiry),
        exchange: seed.exchange,
        name: seed.symbol,
        instrumentType: 'FUT',
        lotSize: seed.lot,
        tickPips,
        basePips: roundPipsToTick(toPips(seed.price), tickPips),
        volatility: seed.volatility,
        expiry,
      });
    }
  }
  return instruments;
}

export function expiryText(instrument: SimInstrument): string {
  return instrument.expiry ? formatExpiry(instrument.expiry, 'DD-MMM-YY') : '';
}

/**
 * Epoch ms of 15:30 IST on the expiry date (when contracts stop trading). IST is UTC+05:30 with
 * no daylight saving, so this is 10:00 UTC; computed directly because the universe asks it for
 * thousands of contracts at start, where a zoned date per call was a visible share of startup.
 */
export function expiryInstant(expiry: ExpiryDate): number {
  return Date.UTC(expiry.year, expiry.month - 1, expiry.day, 10, 0, 0, 0);
}
