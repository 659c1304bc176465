import type { IndexExchange } from '@openalgo/shared-types';

/**
 * Kite index names → OpenAlgo's canonical index symbols (spec/brokers.md §2.2). Names are
 * compared after upper-casing and removing spaces and hyphens. These tables belong in
 * `broker-sdk/symbols` once that helper exists (house rule 4); until then they live here.
 */

const NSE_INDEX_ALIASES: Readonly<Record<string, string>> = {
  NIFTY50: 'NIFTY',
  NIFTYINDEX: 'NIFTY',
  NIFTYBANK: 'BANKNIFTY',
  NIFTYFINSERVICE: 'FINNIFTY',
  NIFTYNEXT50: 'NIFTYNXT50',
  NIFTYMIDSELECT: 'MIDCPNIFTY',
  NIFTYMIDCAPSELECT: 'MIDCPNIFTY',
  INDIAVIX: 'INDIAVIX',
};

/** Applied only to BSE_INDEX rows: these short codes collide with equity symbols. */
const BSE_INDEX_ALIASES: Readonly<Record<string, string>> = {
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
};

const GLOBAL_INDEX_ALIASES: Readonly<Record<string, string>> = {
  GIFTNIFTY: 'GIFTNIFTY',
};

function squeeze(name: string): string {
  return name.toUpperCase().replace(/[\s-]+/g, '');
}

/** The OpenAlgo symbol of a Kite index row. */
export function normalizeIndexName(exchange: IndexExchange, kiteName: string): string {
  const key = squeeze(kiteName);
  switch (exchange) {
    case 'NSE_INDEX':
      return NSE_INDEX_ALIASES[key] ?? key;
    case 'BSE_INDEX':
      // Unknown BSE codes get OpenAlgo's `BSE` prefix, as its other brokers do.
      return BSE_INDEX_ALIASES[key] ?? (key.startsWith('BSE') ? key : `BSE${key}`);
    case 'GLOBAL_INDEX':
      return GLOBAL_INDEX_ALIASES[key] ?? key;
    default:
      return key;
  }
}
