/**
 * Where each intersection sits on the city view (pure). Grid ids `r{row}c{col}` (the bundled
 * grids and the city) place themselves; otherwise every intersection with a `location` is
 * projected from latitude and longitude; otherwise they fill a square grid in id order.
 */
import type { IntersectionConfig } from '../../protocol/index.ts';

export interface Placed {
  id: string;
  /** cell coordinates: column and row, 0-based (may be fractional for locations) */
  x: number;
  y: number;
}

const GRID_ID = /^r(\d+)c(\d+)$/;

export function layout(items: { id: string; config?: IntersectionConfig }[]): Placed[] {
  const sorted = [...items].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  if (sorted.length > 0 && sorted.every((i) => GRID_ID.test(i.id))) {
    return sorted.map((i) => {
      const m = GRID_ID.exec(i.id)!;
      return { id: i.id, x: Number(m[2]), y: Number(m[1]) };
    });
  }
  const located = sorted.filter((i) => i.config?.location);
  if (sorted.length > 1 && located.length === sorted.length) {
    const lats = located.map((i) => i.config!.location!.lat);
    const lons = located.map((i) => i.config!.location!.lon);
    const [minLat, maxLat] = [Math.min(...lats), Math.max(...lats)];
    const [minLon, maxLon] = [Math.min(...lons), Math.max(...lons)];
    const midLat = ((minLat + maxLat) / 2) * (Math.PI / 180);
    const span = Math.max((maxLon - minLon) * Math.cos(midLat), maxLat - minLat) || 1;
    const cells = Math.max(1, Math.ceil(Math.sqrt(sorted.length)) - 1);
    return located.map((i) => ({
      id: i.id,
      x: (((i.config!.location!.lon - minLon) * Math.cos(midLat)) / span) * cells,
      y: ((maxLat - i.config!.location!.lat) / span) * cells,
    }));
  }
  const cols = Math.max(1, Math.ceil(Math.sqrt(sorted.length)));
  return sorted.map((i, k) => ({ id: i.id, x: k % cols, y: Math.floor(k / cols) }));
}
