/**
 * Reading points back from a real InfluxDB 1.x exactly: CSV with `epoch=ns` (JSON numbers would
 * round nanosecond times), tag keys and field types from SHOW TAG KEYS / SHOW FIELD KEYS.
 * Shared by the collector's integration tests.
 */
import type { StoredPoint } from '../contracts/sink.contract.ts';

/** RFC 4180 rows (quoted fields, doubled quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

async function csv(url: string, db: string, q: string): Promise<string[][]> {
  const params = new URLSearchParams({ db, q, epoch: 'ns' });
  const res = await fetch(`${url}/query?${params}`, {
    method: 'POST',
    headers: { accept: 'application/csv' },
  });
  if (!res.ok) throw new Error(`query failed (${res.status}): ${await res.text()}`);
  return parseCsv(await res.text());
}

/** Every point of `measurement` in `db`, typed, sorted by time. */
export async function readPoints(
  url: string,
  db: string,
  measurement: string,
): Promise<StoredPoint[]> {
  const m = `"${measurement.replace(/"/g, '\\"')}"`;
  const fieldRows = await csv(url, db, `SHOW FIELD KEYS FROM ${m}`);
  const types = new Map(fieldRows.slice(1).map((r) => [r[2]!, r[3]!]));
  if (types.size === 0) return [];
  const tagRows = await csv(url, db, `SHOW TAG KEYS FROM ${m}`);
  const tagKeys = new Set(tagRows.slice(1).map((r) => r[2]!));
  const rows = await csv(url, db, `SELECT * FROM ${m}`);
  const header = rows[0] ?? [];
  return rows.slice(1).map((r) => {
    const p: StoredPoint = { tags: {}, fields: {}, timeNs: r[2]! };
    header.forEach((col, i) => {
      if (i < 3) return;
      const v = r[i] ?? '';
      if (tagKeys.has(col)) {
        if (v !== '') p.tags[col] = v;
        return;
      }
      const type = types.get(col);
      if (v === '' && type !== 'string') return;
      if (type === 'integer' || type === 'float') p.fields[col] = Number(v);
      else if (type === 'boolean') p.fields[col] = v === 'true';
      else if (v !== '' || type === 'string') p.fields[col] = v;
    });
    return p;
  });
}

export async function createDatabase(url: string, db: string) {
  const res = await fetch(`${url}/query?${new URLSearchParams({ q: `CREATE DATABASE "${db}"` })}`, {
    method: 'POST',
  });
  if (!res.ok) throw new Error(`CREATE DATABASE failed: ${await res.text()}`);
}
