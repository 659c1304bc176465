/** Where a (fake) Kite Connect lives and the app credentials it accepts. */
export interface KiteEndpoints {
  apiKey: string;
  apiSecret: string;
  baseUrl: string;
  loginUrl: string;
  tickerUrl: string;
}

/** The api's settings for BROKER=zerodha against these endpoints (tests and benches). */
export function zerodhaEnv(kite: KiteEndpoints): Record<string, string> {
  return {
    BROKER: 'zerodha',
    KITE_API_KEY: kite.apiKey,
    KITE_API_SECRET: kite.apiSecret,
    KITE_BASE_URL: kite.baseUrl,
    KITE_LOGIN_URL: kite.loginUrl,
    KITE_TICKER_URL: kite.tickerUrl,
  };
}
