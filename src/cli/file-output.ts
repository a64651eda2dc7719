/** An output file that appears only when the run succeeds: written to a temporary name, renamed on commit. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors.js';

/** A file written in chunks, committed (renamed into place) or discarded. */
export class AtomicFile {
  private readonly tmp: string;
  private fd: number;

  constructor(readonly file: string) {
    this.tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
      this.fd = fs.openSync(this.tmp, 'w');
    } catch (e) {
      throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
    }
  }

  /** Appends text. */
  write(text: string): void {
    fs.writeSync(this.fd, text);
  }

  /** Closes and renames into place. */
  commit(): void {
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.file);
  }

  /** Closes and removes the temporary file. */
  discard(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    fs.rmSync(this.tmp, { force: true });
  }
}
