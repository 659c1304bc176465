import type { IndexExchange } from '@openalgo/shared-types';

/**
 * Broker index spellings → OpenAlgo's canonical index symbols (spec/brokers.md §2.2), per index
 * exchange. Keys are squeezed names (upper case, no spaces or hyphens): every broker maps its
 * own spelling through `normalizeIndexName` instead of keeping a copy of these tables.
 */
export const INDEX_ALIASES: Readonly<Record<IndexExchange, Readonly<Record<string, string>>>> = {
  NSE_INDEX: {
    NIFTY50: 'NIFTY',
    NIFTYINDEX: 'NIFTY',
    NIFTYBANK: 'BANKNIFTY',
    NIFTYFINSERVICE: 'FINNIFTY',
    NIFTYFINANCIALSERVICES: 'FINNIFTY',
    NIFTYNEXT50: 'NIFTYNXT50',
    NIFTYMIDSELECT: 'MIDCPNIFTY',
    NIFTYMIDCAPSELECT: 'MIDCPNIFTY',
    INDIAVIX: 'INDIAVIX',
  },
  // Applied only to BSE_INDEX rows: these short codes collide with equity symbols.
  BSE_INDEX: {
    SENSEX: 'SENSEX',
    BANKEX: 'BANKEX',
    SNSX50: 'SENSEX50',
    SENSEX50: 'SENSEX50',
    SNXT50: 'BSESENSEXNEXT50',
    BSE100: 'BSE100',
    BSE200: 'BSE200',
    BSE500: 'BSE500',
    MID150: 'BSE150MIDCAPINDEX',
    LMI250: 'BSE250LARGEMIDCAPINDEX',
    MSL400: 'BSE400MIDSMALLCAPINDEX',
    AUTO: 'BSEAUTO',
    BSECG: 'BSECAPITALGOODS',
    BSECD: 'BSECONSUMERDURABLES',
    BSEHC: 'BSEHEALTHCARE',
    BSEIT: 'BSEINFORMATIONTECHNOLOGY',
    CARBON: 'BSECARBONEX',
    CARBONEX: 'BSECARBONEX',
    CPSE: 'BSECPSE',
    DOL100: 'BSEDOLLEX100',
    DOL200: 'BSEDOLLEX200',
    DOL30: 'BSEDOLLEX30',
    ENERGY: 'BSEENERGY',
    BSEFMC: 'BSEFASTMOVINGCONSUMERGOODS',
    FMC: 'BSEFASTMOVINGCONSUMERGOODS',
    FINSER: 'BSEFINANCIALSERVICES',
    FIN: 'BSEFINANCIALSERVICES',
    GREENX: 'BSEGREENEX',
    GREENEX: 'BSEGREENEX',
    INFRA: 'BSEINDIAINFRASTRUCTUREINDEX',
    INDSTR: 'BSEINDUSTRIALS',
    BSEIPO: 'BSEIPO',
    IPO: 'BSEIPO',
    LRGCAP: 'BSELARGECAP',
    METAL: 'BSEMETAL',
    MIDCAP: 'BSEMIDCAP',
    MIDSEL: 'BSEMIDCAPSELECTINDEX',
    OILGAS: 'BSEOIL&GAS',
    POWER: 'BSEPOWER',
    BSEPSU: 'BSEPSU',
    PSU: 'BSEPSU',
    REALTY: 'BSEREALTY',
    SMLCAP: 'BSESMALLCAP',
    SMLSEL: 'BSESMALLCAPSELECTINDEX',
    SMEIPO: 'BSESMEIPO',
    TECK: 'BSETECK',
    TELCOM: 'BSETELECOM',
  },
  MCX_INDEX: {},
  GLOBAL_INDEX: {
    GIFTNIFTY: 'GIFTNIFTY',
    '^N225': 'JAPAN225',
    '^GSPC': 'US500',
    '^HSI': 'HANGSENG',
  },
};

/** Upper case, spaces and hyphens removed: the key every alias table uses. */
export function squeezeIndexName(name: string): string {
  return name.toUpperCase().replace(/[\s-]+/g, '');
}

/**
 * The OpenAlgo symbol of a broker's index row. Unknown names keep their squeezed form; unknown
 * BSE codes get OpenAlgo's `BSE` prefix, as its brokers write them.
 */
export function normalizeIndexName(exchange: IndexExchange, brokerName: string): string {
  const key = squeezeIndexName(brokerName);
  const alias = INDEX_ALIASES[exchange][key];
  if (alias !== undefined) {
    return alias;
  }
  if (exchange === 'BSE_INDEX' && !key.startsWith('BSE')) {
    return `BSE${key}`;
  }
  return key;
}
