/**
 * Field rules of a trace line (SPEC 4): one function per column, shared by the byte-level fast path
 * (which calls them only for a line it could not take as-is) and the csv-parse path, so both report
 * the very same reason for the same bad text.
 */

/** Column names of an access record, in positional order (`kpromoted_record_access(pfn, nid, src, now)`). */
export const FIELD_NAMES = ['pfn', 'nid', 'src', 'time'] as const;

/** One of the four record columns. */
export type FieldName = (typeof FIELD_NAMES)[number];

/** pfn and time live in [0, 2^53): every such integer is exact in a double. */
export const LIMIT_53 = 2 ** 53;
/** nid and numeric src are C `int`s in the kernel: at most INT_MAX. */
export const INT_MAX = 2 ** 31 - 1;

/** `KPROMOTED_HW_HINTS` and `KPROMOTED_PGTABLE_SCAN` from the RFC patch. */
export const SRC_HWHINTS = 0;
/** Page-table scan source. */
export const SRC_PGTSCAN = 1;

const DEC = /^[0-9]+$/;
const NEG_DEC = /^-[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const NEG_HEX = /^-0[xX][0-9a-fA-F]+$/;

/** A parsed value, or the reason the text is not one (a string). */
export type FieldResult = number | string;

/** pfn: decimal or `0x`/`0X` hex integer in [0, 2^53). */
export function parsePfn(text: string): FieldResult {
  if (text === '') return 'pfn is empty';
  if (DEC.test(text) || HEX.test(text)) {
    // Number() is exact below 2^53 and rounds monotonically above, so the range test is exact.
    const v = Number(text);
    return v < LIMIT_53 ? v : 'pfn is out of range [0, 2^53)';
  }
  if (NEG_DEC.test(text) || NEG_HEX.test(text)) return 'pfn is out of range [0, 2^53)';
  return 'pfn is not a decimal or 0x hex integer';
}

/** nid: decimal integer in [-1, INT_MAX]; -1 is NUMA_NO_NODE. */
export function parseNid(text: string): FieldResult {
  if (text === '') return 'nid is empty';
  if (DEC.test(text)) {
    const v = Number(text);
    return v <= INT_MAX ? v : 'nid is out of range [-1, 2^31)';
  }
  if (NEG_DEC.test(text)) {
    // 0 - x turns "-0" into +0, as the fast path does.
    const v = 0 - Number(text.slice(1));
    return v >= -1 ? v : 'nid must be an integer >= -1';
  }
  return 'nid is not a decimal integer';
}

/** src: `hwhints` = 0, `pgtscan` = 1 (any case), or a decimal integer in [0, INT_MAX]. */
export function parseSrc(text: string): FieldResult {
  if (text === '') return 'src is empty';
  if (DEC.test(text)) {
    const v = Number(text);
    return v <= INT_MAX ? v : 'src is out of range [0, 2^31)';
  }
  if (NEG_DEC.test(text)) return 'src must be an integer >= 0';
  const lower = text.toLowerCase();
  if (lower === 'hwhints') return SRC_HWHINTS;
  if (lower === 'pgtscan') return SRC_PGTSCAN;
  return 'unknown source name';
}

/** time: decimal integer jiffies in [0, 2^53). */
export function parseTime(text: string): FieldResult {
  if (text === '') return 'time is empty';
  if (DEC.test(text)) {
    const v = Number(text);
    return v < LIMIT_53 ? v : 'time is out of range [0, 2^53)';
  }
  if (NEG_DEC.test(text)) return 'time is out of range [0, 2^53)';
  return 'time is not a decimal integer';
}

/** Parsers in FIELD_NAMES order. */
export const FIELD_PARSERS: readonly ((text: string) => FieldResult)[] = [parsePfn, parseNid, parseSrc, parseTime];

/** Which column a header cell names (trimmed, any case), or -1. */
export function headerField(cell: string): number {
  return (FIELD_NAMES as readonly string[]).indexOf(cell.trim().toLowerCase());
}

/** A line is a header when one of its cells names a column (SPEC 4). */
export function isHeader(cells: readonly string[]): boolean {
  for (const c of cells) if (headerField(c) >= 0) return true;
  return false;
}
