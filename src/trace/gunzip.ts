/** node:zlib, loaded only when a gzip input is met (a plain replay does not load it: start-up). */
import type { Gunzip, ZlibOptions } from 'node:zlib';

/** zlib.createGunzip(), loading node:zlib on first use. */
export async function createGunzip(opts?: ZlibOptions): Promise<Gunzip> {
  const zlib = await import('node:zlib');
  return zlib.createGunzip(opts);
}
