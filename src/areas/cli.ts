// `jiesu areas …`: import boundaries (GeoJSON) and gazetteer places (CSV), resolve from the shell.
import { parse } from 'csv-parse/sync';
import type { Command } from 'commander';
import { callServer, dbOptions, fail, readText, serverOption, withDb, type DbOptions } from '../cli/shared.js';
import { PLACE_KINDS, type PlaceKind } from './gazetteer.js';
import { importAreas, importPlaces, resolveAddress, resolvePoint, type ImportReport, type PlaceInput } from './service.js';
import type { ResolvedAreas } from './resolver.js';

type Opts = DbOptions & { server?: string };

function parseJson(file: string): unknown {
  try {
    return JSON.parse(readText(file));
  } catch (e) {
    fail(`${file}: 不是有效的 JSON (not valid JSON): ${(e as Error).message}`);
  }
}

/** name,kind,unit rows (a header line naming them is optional; kind defaults to estate). */
export function parsePlacesCsv(text: string): PlaceInput[] {
  const rows: string[][] = parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, trim: true, relax_column_count: true });
  if (rows[0] && rows[0][0]?.toLowerCase() === 'name') rows.shift();
  return rows.map((r, i) => {
    const [name = '', kind = 'estate', unit = ''] = r;
    if (!(PLACE_KINDS as readonly string[]).includes(kind)) fail(`line ${i + 1}: 地名类型须是 (kind must be one of) ${PLACE_KINDS.join(', ')}`);
    return { name, kind: kind as PlaceKind, unit };
  });
}

const show = (r: ResolvedAreas) =>
  (['district', 'subdistrict', 'community'] as const).map((k) => `${k}: ${r[k] ? `${r[k].name} (${r[k].id})` : '-'}`).join('\n');

export function commands(program: Command) {
  const areas = program.command('areas').description('区域 areas: boundaries, gazetteer, resolving points and addresses');

  serverOption(
    dbOptions(
      areas
        .command('import <file>')
        .description('import boundaries from a GeoJSON FeatureCollection (properties.unitId, or properties.name [+ kind, parent]; properties.aliases)'),
    ),
  ).action(async (file: string, o: Opts) => {
    const fc = parseJson(file);
    const report = o.server
      ? await callServer<ImportReport>(o.server, 'POST', '/api/v1/areas/import', fc)
      : await withDb(o, (db) => db.tx((q) => importAreas(q, fc)));
    console.log(`imported ${report.imported} area(s), ${report.aliases} new alias(es)`);
  });

  serverOption(
    dbOptions(
      areas
        .command('import-places <file>')
        .description(`import gazetteer places from CSV: name,kind,unit (kind: ${PLACE_KINDS.join('|')}; unit: id or unique name)`),
    ),
  ).action(async (file: string, o: Opts) => {
    const places = parsePlacesCsv(readText(file));
    if (places.length === 0) fail(`${file}: 没有地名 (no places)`);
    const report = o.server
      ? await callServer<{ imported: number; total: number }>(o.server, 'POST', '/api/v1/areas/places', { places })
      : await withDb(o, (db) => db.tx((q) => importPlaces(q, places)));
    console.log(`imported ${report.imported} of ${report.total} place(s)`);
  });

  dbOptions(
    areas
      .command('resolve [address]')
      .description('the district, sub-district and community of an address, or of --lat/--lng')
      .option('--lat <lat>', 'latitude', Number)
      .option('--lng <lng>', 'longitude', Number),
  ).action(async (address: string | undefined, o: DbOptions & { lat?: number; lng?: number }) => {
    if ((o.lat == null || o.lng == null) && !address) fail('give an address or --lat and --lng');
    const r = await withDb(o, (db) => (o.lat != null && o.lng != null ? resolvePoint(db, o.lat, o.lng) : resolveAddress(db, address!)));
    console.log(show(r));
  });
}
