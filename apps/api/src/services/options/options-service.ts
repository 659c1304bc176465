import { TZDate } from '@date-fns/tz';
import {
  buildOptionSymbol,
  type Exchange,
  type ExpiryDate,
  exchangeSchema,
  formatExpiry,
  type LegGreeks,
  type OptionChainLeg,
  type OptionChainResponse,
  type OptionGreeksResult,
  type OptionType,
  parseExpiry,
  parseSymbol,
  type Quote,
} from '@openalgo/shared-types';
import { roundTo } from '@openalgo/shared-types/decimal';
import { ApiError } from '../../errors.js';
import type { BrokerCall } from '../broker-gateway.js';
import type { BrokerSession } from '../broker-sessions.js';
import { toBrokerFailure } from '../market-data/broker-failure.js';
import {
  type MarketDataService,
  symbolNotFoundMessage,
  wireNumber,
} from '../market-data/market-data-service.js';
import type { IndexedSymbol, SymbolIndex } from '../symbol-index.js';
import { DEFAULT_FREEZE_QTY } from '../symbols/symbol-rows.js';
import { black76Greeks, impliedVolatility, type OptionKind } from './black76.js';
import {
  arithmeticStrike,
  chainLabel,
  nearestStrikeIndex,
  offsetStrikeIndex,
  optionsExchangeFor,
  parseUnderlying,
  quoteExchangeFor,
  syntheticFuture,
} from './strikes.js';

const IST = 'Asia/Kolkata';
const DAY_MS = 86_400_000;
/** Time to expiry never goes below this (≈ 53 minutes), as the reference floors it. */
const MIN_YEARS = 0.0001;
const CUTOFFS: Partial<Record<Exchange, string>> = { MCX: '23:30', CDS: '12:30' };

const round = (value: number, places: number) => Number(roundTo(String(value), places, 'nearest').toString());

/** The expiry instant (IST cut-off of the expiry date), epoch ms. */
export function expiryInstant(expiry: ExpiryDate, exchange: Exchange, cutoff?: string): number {
  const [hours, minutes] = (cutoff ?? CUTOFFS[exchange] ?? '15:30').split(':').map(Number);
  return new TZDate(
    expiry.year,
    expiry.month - 1,
    expiry.day,
    hours ?? 15,
    minutes ?? 30,
    0,
    0,
    IST,
  ).getTime();
}

export interface OptionSymbolAnswer {
  symbol: string;
  exchange: Exchange;
  lotsize: number;
  tick_size: number;
  freeze_qty: number;
  underlying_ltp: number;
  row: IndexedSymbol;
}

/**
 * Option resolution, chains, Greeks and the synthetic future (api-v1 §4.5) over the symbol
 * index and one batched quote call per step.
 */
export class OptionsService {
  constructor(
    private readonly marketData: MarketDataService,
    private readonly symbols: SymbolIndex,
    private readonly now: () => number,
  ) {}

  /** The LTP of a listed symbol, failures prefixed as the contract words them. */
  async ltpOf(call: BrokerCall, symbol: string, exchange: Exchange, separator = '. '): Promise<Quote> {
    const listed = this.symbols.find(symbol, exchange);
    if (!listed) {
      throw ApiError.message(
        400,
        `Failed to fetch LTP for ${symbol}${separator}${symbolNotFoundMessage(symbol, exchange)}`,
      );
    }
    try {
      return await this.marketData.quoteOf(call, listed.instrument);
    } catch (error) {
      throw toBrokerFailure(error, `Failed to fetch LTP for ${symbol}${separator}`);
    }
  }

  /** Where the underlying of `text` on `exchange` is quoted (api-v1 §4.5.1 step 1). */
  underlyingSource(
    base: string,
    exchange: Exchange,
    embeddedText: string | undefined,
  ): { symbol: string; exchange: Exchange } {
    if ((exchange === 'MCX' || exchange === 'CDS') && embeddedText) {
      return { symbol: `${base}${embeddedText}FUT`, exchange };
    }
    if (exchange === 'CRYPTO') {
      return { symbol: `${base}USDFUT`, exchange };
    }
    return { symbol: base, exchange: quoteExchangeFor(base, exchange) };
  }

  /** The underlying's LTP, quoted where `/optionsymbol` quotes it (api-v1 §4.5.1 step 1). */
  async underlyingLtp(
    session: BrokerSession | null,
    underlying: string,
    exchange: Exchange,
  ): Promise<string> {
    const parsed = parseUnderlying(underlying);
    const source = this.underlyingSource(parsed.base, exchange, parsed.expiryText);
    return (await this.ltpOf(this.marketData.call(session), source.symbol, source.exchange)).ltp;
  }

  async optionSymbol(
    session: BrokerSession | null,
    request: {
      underlying: string;
      exchange: Exchange;
      expiry_date?: string | undefined;
      strike_int?: number | null | undefined;
      offset: string;
      option_type: OptionType;
    },
    known?: { ltp: string },
  ): Promise<OptionSymbolAnswer> {
    const parsed = parseUnderlying(request.underlying);
    const expiryText = request.expiry_date ?? parsed.expiryText;
    if (!expiryText) {
      throw ApiError.message(
        400,
        'Expiry date required. Provide via expiry_date parameter or embed in underlying (e.g., NIFTY28OCT25FUT).',
      );
    }
    const optionsExchange = optionsExchangeFor(request.exchange);
    const ltp = known?.ltp ?? (await this.underlyingLtp(session, request.underlying, request.exchange));
    const expiry = parseExpiry(expiryText);
    let symbol: string;
    if (request.strike_int) {
      symbol = `${parsed.base}${expiryText}${arithmeticStrike(ltp, request.strike_int, request.offset, request.option_type)}${request.option_type}`;
    } else {
      const chain =
        expiry && /^\d{2}[A-Z]{3}\d{2}$/.test(expiryText)
          ? this.symbols
              .optionChainOf(parsed.base, optionsExchange, formatExpiry(expiry, 'YYYY-MM-DD'))
              .filter((entry) => (request.option_type === 'CE' ? entry.ce : entry.pe))
          : [];
      if (!expiry || chain.length === 0) {
        throw ApiError.message(
          404,
          `No strikes found for ${parsed.base} expiring ${expiryText}. Please check expiry date or update master contract.`,
        );
      }
      const strikes = chain.map((entry) => entry.strike);
      const index = offsetStrikeIndex(
        strikes.length,
        nearestStrikeIndex(strikes, ltp),
        request.offset,
        request.option_type,
      );
      if (index === null) {
        throw ApiError.message(
          400,
          `Offset ${request.offset} is out of range for available strikes. Please use a smaller offset.`,
        );
      }
      symbol = buildOptionSymbol(parsed.base, expiry, strikes[index] ?? '0', request.option_type);
    }
    const row = this.symbols.find(symbol, optionsExchange);
    if (!row) {
      throw ApiError.message(
        404,
        `Option symbol ${symbol} not found in ${optionsExchange}. Symbol may not exist or master contract needs update.`,
      );
    }
    return {
      symbol,
      exchange: optionsExchange,
      lotsize: row.lotsize,
      tick_size: wireNumber(row.tickSize),
      freeze_qty: DEFAULT_FREEZE_QTY,
      underlying_ltp: wireNumber(ltp),
      row,
    };
  }

  /** ATM strike and the ATM CE/PE prices of one expiry, for the synthetic future. */
  async syntheticFuture(
    session: BrokerSession | null,
    request: { underlying: string; exchange: Exchange; expiry_date: string },
  ) {
    const call = this.marketData.call(session);
    const parsed = parseUnderlying(request.underlying);
    const source = this.underlyingSource(parsed.base, request.exchange, parsed.expiryText);
    const underlying = await this.ltpOf(call, source.symbol, source.exchange);
    const legs = await Promise.all(
      (['CE', 'PE'] as const).map((optionType) =>
        this.optionSymbol(
          session,
          { ...request, offset: 'ATM', option_type: optionType, strike_int: null },
          { ltp: underlying.ltp },
        ),
      ),
    );
    const [callLeg, putLeg] = legs as [OptionSymbolAnswer, OptionSymbolAnswer];
    const quotes = await this.marketData.fetchQuotes(call, [callLeg.row.instrument, putLeg.row.instrument]);
    const [callQuote, putQuote] = quotes;
    if (!callQuote?.ok) {
      throw ApiError.message(500, `Could not fetch LTP for Call option: ${callLeg.symbol}`);
    }
    if (!putQuote?.ok) {
      throw ApiError.message(500, `Could not fetch LTP for Put option: ${putLeg.symbol}`);
    }
    const strike = callLeg.row.strike;
    return {
      underlying_ltp: wireNumber(underlying.ltp),
      atm_strike: wireNumber(strike),
      synthetic_future_price: Number(
        roundTo(syntheticFuture(strike, callQuote.quote.ltp, putQuote.quote.ltp), 2, 'nearest').toString(),
      ),
    };
  }

  /** The option chain of one expiry around ATM, quotes in one batched call, Greeks on request. */
  async optionChain(
    session: BrokerSession | null,
    request: {
      underlying: string;
      exchange: Exchange;
      expiry_date: string;
      strike_count?: number | null | undefined;
      with_greeks: boolean;
      interest_rate?: number | null | undefined;
    },
  ): Promise<Omit<OptionChainResponse, 'status'>> {
    const parsed = parseUnderlying(request.underlying);
    const expiryText = parsed.expiryText ?? request.expiry_date;
    if (!expiryText) {
      throw ApiError.message(400, 'Expiry date is required.');
    }
    const optionsExchange = optionsExchangeFor(request.exchange);
    const expiry = /^\d{2}[A-Z]{3}\d{2}$/.test(expiryText) ? parseExpiry(expiryText) : null;
    const chain = expiry
      ? this.symbols.optionChainOf(parsed.base, optionsExchange, formatExpiry(expiry, 'YYYY-MM-DD'))
      : [];
    if (!expiry || chain.length === 0) {
      throw ApiError.message(
        404,
        `No strikes found for ${parsed.base} expiring ${expiryText}. Please check expiry date or update master contract.`,
      );
    }
    const call = this.marketData.call(session);
    const source = this.nearestFutureSource(parsed.base, request.exchange, parsed.expiryText);
    const underlying = await this.ltpOf(call, source.symbol, source.exchange, ': ');
    const strikes = chain.map((entry) => entry.strike);
    const atmIndex = nearestStrikeIndex(strikes, underlying.ltp);
    const count = request.strike_count ?? chain.length;
    const from = Math.max(0, atmIndex - count);
    const window = chain.slice(from, atmIndex + count + 1);
    const instruments = window.flatMap((entry) => [entry.ce, entry.pe].filter((row) => row !== undefined));
    let quotes: Awaited<ReturnType<MarketDataService['fetchQuotes']>>;
    try {
      quotes = await this.marketData.fetchQuotes(
        call,
        instruments.map((row) => row.instrument),
      );
    } catch (error) {
      throw toBrokerFailure(error);
    }
    const bySymbol = new Map(
      quotes.flatMap((result) => (result.ok ? [[result.instrument.symbol, result.quote] as const] : [])),
    );
    const atm = chain[atmIndex];
    const atmCall = atm?.ce ? bySymbol.get(atm.ce.symbol) : undefined;
    const atmPut = atm?.pe ? bySymbol.get(atm.pe.symbol) : undefined;
    const forward =
      request.with_greeks && atm && atmCall && atmPut && Number(atmCall.ltp) > 0 && Number(atmPut.ltp) > 0
        ? syntheticFuture(atm.strike, atmCall.ltp, atmPut.ltp).toNumber()
        : wireNumber(underlying.ltp);
    const expiryMs = expiryInstant(expiry, optionsExchange);
    const years = Math.max(MIN_YEARS, (expiryMs - this.now()) / (365 * DAY_MS));
    const rate = (request.interest_rate ?? 0) / 100;
    const leg = (
      row: IndexedSymbol | undefined,
      index: number,
      optionType: OptionType,
    ): OptionChainLeg | null => {
      if (!row) {
        return null;
      }
      const quote = bySymbol.get(row.symbol);
      const base: OptionChainLeg = {
        symbol: row.symbol,
        label: chainLabel(from + index, atmIndex, optionType),
        ltp: quote ? wireNumber(quote.ltp) : 0,
        bid: quote ? wireNumber(quote.bid) : 0,
        ask: quote ? wireNumber(quote.ask) : 0,
        bid_qty: 0,
        ask_qty: 0,
        open: quote ? wireNumber(quote.open) : 0,
        high: quote ? wireNumber(quote.high) : 0,
        low: quote ? wireNumber(quote.low) : 0,
        prev_close: quote ? wireNumber(quote.prevClose) : 0,
        volume: quote?.volume ?? 0,
        oi: quote?.oi ?? 0,
        lotsize: row.lotsize,
        tick_size: wireNumber(row.tickSize),
      };
      const greeks =
        request.with_greeks && base.ltp > 0
          ? legGreeks(optionType, forward, Number(row.strike), years, rate, base.ltp)
          : null;
      return greeks ? { ...base, ...greeks } : base;
    };
    return {
      underlying: parsed.base,
      underlying_symbol: source.symbol,
      underlying_exchange: source.exchange,
      underlying_ltp: wireNumber(underlying.ltp),
      underlying_prev_close: wireNumber(underlying.prevClose),
      expiry_date: expiryText,
      expiry_ts: Math.floor(expiryMs / 1_000),
      server_ts: Math.floor(this.now() / 1_000),
      atm_strike: wireNumber(atm?.strike ?? '0'),
      quotes_included: true,
      greeks_included: request.with_greeks,
      forward_price: request.with_greeks ? round(forward, 2) : null,
      chain: window.map((entry, index) => ({
        strike: wireNumber(entry.strike),
        ce: leg(entry.ce, index, 'CE'),
        pe: leg(entry.pe, index, 'PE'),
      })),
    };
  }

  /** Commodity and currency chains are priced off the nearest unexpired future (api-v1 §4.5.2). */
  nearestFutureSource(base: string, exchange: Exchange, embeddedText: string | undefined) {
    if (['MCX', 'CDS', 'BCD', 'NCDEX', 'NCO'].includes(exchange) && !embeddedText) {
      const today = new TZDate(this.now(), IST);
      const todayText = formatExpiry(
        { year: today.getFullYear(), month: today.getMonth() + 1, day: today.getDate() },
        'YYYY-MM-DD',
      );
      const [nearest] = this.symbols.expiriesOf(base, exchange, 'futures', todayText);
      const parsed = nearest ? parseExpiry(nearest) : null;
      if (!parsed) {
        throw ApiError.message(404, `No futures found for ${base} on ${exchange}`);
      }
      return { symbol: `${base}${formatExpiry(parsed)}FUT`, exchange };
    }
    return this.underlyingSource(base, exchange, embeddedText);
  }

  /** One option's Greeks; `forward` from the caller, else the synthetic future, else the spot. */
  async greeks(
    session: BrokerSession | null,
    request: {
      symbol: string;
      exchange: Exchange;
      interest_rate?: number | undefined;
      forward_price?: number | undefined;
      underlying_symbol?: string | undefined;
      underlying_exchange?: string | undefined;
      expiry_time?: string | undefined;
    },
    options: { expiredIsSuccess?: boolean } = {},
  ): Promise<OptionGreeksResult> {
    const parsed = parseSymbol(request.symbol, { exchange: request.exchange });
    if (parsed?.kind !== 'option') {
      throw ApiError.message(
        400,
        `Failed to parse option symbol ${request.symbol}: Invalid option symbol format: ${request.symbol}`,
      );
    }
    if (request.expiry_time !== undefined && !/^([01]?\d|2[0-3]):[0-5]\d$/.test(request.expiry_time)) {
      throw ApiError.message(
        400,
        `Invalid expiry_time format: ${request.expiry_time}. Use HH:MM format (e.g., '15:30', '19:00')`,
      );
    }
    const expiryMs = expiryInstant(parsed.expiry, request.exchange, request.expiry_time);
    const expiryLabel = formatIst(expiryMs);
    const remainingMs = expiryMs - this.now();
    const rate = request.interest_rate ?? 0;
    if (remainingMs <= 0 && !options.expiredIsSuccess) {
      throw ApiError.message(400, `Option has expired on ${expiryLabel}`);
    }
    const call = this.marketData.call(session);
    let forward = request.forward_price && request.forward_price > 0 ? request.forward_price : undefined;
    if (forward === undefined) {
      const customUnderlying = request.underlying_symbol && request.underlying_symbol !== parsed.base;
      const underlyingExchange = exchangeSchema.safeParse(
        request.underlying_exchange ?? inferUnderlyingExchange(parsed.base, request.exchange),
      );
      if (!customUnderlying) {
        forward = await this.syntheticFuture(session, {
          underlying: parsed.base,
          exchange: request.exchange,
          expiry_date: formatExpiry(parsed.expiry),
        })
          .then((answer) => answer.synthetic_future_price)
          .catch(() => undefined);
      }
      if (forward === undefined) {
        const symbol = request.underlying_symbol ?? parsed.base;
        if (!underlyingExchange.success) {
          throw ApiError.message(
            400,
            `Failed to fetch underlying price: unknown exchange ${request.underlying_exchange}`,
          );
        }
        const quote = await this.ltpOf(call, symbol, underlyingExchange.data, ': ').catch(
          (error: unknown) => {
            throw toBrokerFailure(error, 'Failed to fetch underlying price: ');
          },
        );
        forward = wireNumber(quote.ltp);
      }
      if (!forward) {
        throw ApiError.message(404, 'Underlying LTP not available');
      }
    }
    const optionQuote = await this.ltpOf(call, request.symbol, request.exchange, ': ').catch(
      (error: unknown) => {
        throw toBrokerFailure(error, 'Failed to fetch option price: ');
      },
    );
    const price = wireNumber(optionQuote.ltp);
    if (!price) {
      throw ApiError.message(404, 'Option LTP not available');
    }
    const strike = Number(parsed.strike);
    const kind: OptionKind = parsed.optionType;
    const base = {
      status: 'success' as const,
      symbol: request.symbol,
      exchange: request.exchange,
      underlying: parsed.base,
      strike: round(strike, 2),
      option_type: kind,
      expiry_date: expiryLabel,
      spot_price: round(forward, 2),
      option_price: round(price, 2),
      interest_rate: round(rate, 2),
    };
    const intrinsic = Math.max(0, kind === 'CE' ? forward - strike : strike - forward);
    const timeValue = price - intrinsic;
    if (remainingMs <= 0) {
      return {
        ...base,
        days_to_expiry: 0,
        intrinsic_value: round(intrinsic, 2),
        time_value: round(Math.max(timeValue, 0), 2),
        implied_volatility: 0,
        greeks: { delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0 },
        note: 'Option has expired - Greeks are no longer applicable',
      };
    }
    const years = Math.max(MIN_YEARS, remainingMs / (365 * DAY_MS));
    const days = round(years * 365, 4);
    const theoretical = (note: string): OptionGreeksResult => ({
      ...base,
      days_to_expiry: days,
      intrinsic_value: round(intrinsic, 2),
      time_value: round(Math.max(timeValue, 0), 2),
      implied_volatility: 0,
      greeks: { delta: intrinsic > 0 ? (kind === 'CE' ? 1 : -1) : 0, gamma: 0, theta: 0, vega: 0, rho: 0 },
      note,
    });
    if (timeValue <= 0 || (intrinsic > 0 && timeValue < 0.01)) {
      return theoretical('Deep ITM option with no time value - theoretical Greeks returned');
    }
    const input = { kind, forward, strike, years, rate: rate / 100 };
    const volatility = impliedVolatility(input, price);
    if (volatility === null) {
      return theoretical('IV calculation not possible - theoretical deep ITM Greeks returned');
    }
    const greeks = black76Greeks(input, volatility);
    return {
      ...base,
      days_to_expiry: days,
      implied_volatility: round(volatility * 100, 2),
      greeks: {
        delta: round(greeks.delta, 4),
        gamma: round(greeks.gamma, 6),
        theta: round(greeks.theta, 4),
        vega: round(greeks.vega, 4),
        rho: round(greeks.rho, 6),
      },
    };
  }
}

/** `25-Aug-2026`, the Greeks routes' expiry format. */
function formatIst(epochMs: number): string {
  const date = new TZDate(epochMs, IST);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    date.getMonth()
  ];
  return `${String(date.getDate()).padStart(2, '0')}-${month}-${date.getFullYear()}`;
}

const CURRENCIES = new Set(['USDINR', 'EURINR', 'GBPINR', 'JPYINR']);
const COMMODITIES = new Set([
  'GOLD',
  'GOLDM',
  'SILVER',
  'SILVERM',
  'CRUDEOIL',
  'CRUDEOILM',
  'NATURALGAS',
  'COPPER',
  'ZINC',
]);

/** The underlying's exchange for the Greeks routes (api-v1 §4.5.3). */
function inferUnderlyingExchange(base: string, exchange: Exchange): Exchange {
  const viaIndex = quoteExchangeFor(base, 'NFO');
  if (viaIndex === 'NSE_INDEX') {
    return 'NSE_INDEX';
  }
  if (quoteExchangeFor(base, 'BFO') === 'BSE_INDEX') {
    return 'BSE_INDEX';
  }
  if (CURRENCIES.has(base) || exchange === 'CDS') {
    return 'CDS';
  }
  if (COMMODITIES.has(base) || exchange === 'MCX') {
    return 'MCX';
  }
  return exchange === 'CRYPTO' ? 'CRYPTO' : 'NSE';
}

/** IV (%) and Greeks of one chain leg, rounded as the Greeks route rounds them; null if unpriced. */
function legGreeks(
  kind: OptionKind,
  forward: number,
  strike: number,
  years: number,
  rate: number,
  price: number,
): LegGreeks | null {
  const intrinsic = Math.max(0, kind === 'CE' ? forward - strike : strike - forward);
  const input = { kind, forward, strike, years, rate };
  const volatility = price - intrinsic >= 0.01 ? impliedVolatility(input, price) : null;
  if (volatility === null) {
    return {
      implied_volatility: 0,
      delta: intrinsic > 0 ? (kind === 'CE' ? 1 : -1) : 0,
      gamma: 0,
      theta: 0,
      vega: 0,
    };
  }
  const greeks = black76Greeks(input, volatility);
  return {
    implied_volatility: round(volatility * 100, 2),
    delta: round(greeks.delta, 4),
    gamma: round(greeks.gamma, 6),
    theta: round(greeks.theta, 4),
    vega: round(greeks.vega, 4),
  };
}
