// Areas: /api/v1/areas. The boundaries are public (the portal's map draws them); resolving and
// the heat map are for staff; importing boundaries and places is for admins. The module also
// fills in the area of orders created without one (ctx.locateArea) and adds the order's areas to
// its single read.
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { badRequest, notFound } from '../core/errors.js';
import { setting } from '../core/config.js';
import { Id, IdParams, StringEnum, Text } from '../http/schemas.js';
import { PLACE_KINDS } from './gazetteer.js';
import { mostSpecific } from './resolver.js';
import { areaHeat, HEAT_LEVELS } from './heat.js';
import {
  areasFeatureCollection,
  areasOfUnit,
  deletePlace,
  importAreas,
  importPlaces,
  listPlaces,
  resolveAddress,
  resolveLocation,
  resolvePoint,
} from './service.js';

const Ref = Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]);
const Resolved = Type.Object({ district: Ref, subdistrict: Ref, community: Ref });
const STAFF_CENTER = ['agent', 'dispatcher', 'followup', 'supervisor', 'admin'] as const;

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  const tags = ['areas'];

  // Orders made with a point or an address and no area get the most specific area resolved.
  ctx.locateArea = async (q, loc) => mostSpecific((await resolveLocation(q, loc, db)).areas);
  (ctx.orderViews ??= []).push(async (q, _actor, order) => ({ areas: await areasOfUnit(q, order.location?.districtUnitId ?? null, db) }));

  app.get(
    '/api/v1/areas',
    {
      config: { public: true },
      schema: {
        tags,
        description: 'The boundaries of the districts, sub-districts and communities: a GeoJSON FeatureCollection, properties {unitId, name, kind}.',
      },
    },
    async (_req, reply) => reply.header('cache-control', 'public, max-age=60').send(await areasFeatureCollection(db)),
  );

  app.get(
    '/api/v1/areas/map',
    {
      config: { public: true },
      schema: { tags, description: 'How the web maps draw: the tile URL template (null: the boundaries alone, offline) and its credit line.' },
    },
    () => Promise.resolve({ tileUrl: setting('JIESU_MAP_TILE_URL') ?? null, attribution: setting('JIESU_MAP_TILE_ATTRIBUTION') ?? null }),
  );

  app.post(
    '/api/v1/areas/import',
    {
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags,
        description:
          'Imports a GeoJSON FeatureCollection of (Multi)Polygons; each feature names its unit by properties.unitId or properties.name (+ kind, parent); properties.aliases join the gazetteer. All or nothing.',
        body: Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Unknown()) }, { additionalProperties: true }),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return db.tx((q) => importAreas(q, req.body));
    },
  );

  app.get(
    '/api/v1/areas/resolve',
    {
      schema: {
        tags,
        description: 'The district, sub-district and community a point lies in (each {id, name} or null).',
        querystring: Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) }),
        response: { 200: Resolved },
      },
    },
    async (req) => {
      requireActor(req, ...STAFF_CENTER);
      return resolvePoint(db, req.query.lat, req.query.lng);
    },
  );

  app.post(
    '/api/v1/areas/resolve',
    {
      schema: {
        tags,
        description: 'The district, sub-district and community an address names, read against the gazetteer (each {id, name} or null).',
        body: Type.Object({ address: Text(500) }, { additionalProperties: false }),
        response: { 200: Resolved },
      },
    },
    async (req) => {
      requireActor(req, ...STAFF_CENTER);
      return resolveAddress(db, req.body.address);
    },
  );

  app.get(
    '/api/v1/areas/places',
    {
      schema: {
        tags,
        description: 'Places of the gazetteer (aliases, roads, estates, landmarks).',
        querystring: Type.Object({ unitId: Type.Optional(Id), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return { items: await listPlaces(db, { unitId: req.query.unitId, limit: req.query.limit ?? 200 }) };
    },
  );

  app.post(
    '/api/v1/areas/places',
    {
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags,
        description: 'Adds places to the gazetteer: {name, kind, unit} with unit an id or a unique unit name. All or nothing.',
        body: Type.Object(
          {
            places: Type.Array(
              Type.Object({ name: Text(100), kind: StringEnum(PLACE_KINDS), unit: Type.Union([Id, Text(100)]) }, { additionalProperties: false }),
              { minItems: 1, maxItems: 200000 },
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return db.tx((q) => importPlaces(q, req.body.places));
    },
  );

  app.delete('/api/v1/areas/places/:id', { schema: { tags, params: IdParams } }, async (req, reply) => {
    requireActor(req, 'admin');
    if (!(await db.tx((q) => deletePlace(q, req.params.id)))) throw notFound('areaPlace', req.params.id);
    return reply.status(204).send();
  });

  app.get(
    '/api/v1/areas/heat',
    {
      schema: {
        tags,
        description:
          'Orders counted by area (district or sub-district) over a period, for the heat map, with the points of those that have coordinates; workorderIds narrows to one hot topic.',
        querystring: Type.Object({
          level: Type.Optional(StringEnum(HEAT_LEVELS)),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          status: Type.Optional(StringEnum(['open', 'all'] as const)),
          workorderIds: Type.Optional(Type.String({ pattern: '^\\d+(,\\d+){0,199}$', description: 'comma-separated order ids (a hot topic)' })),
        }),
      },
    },
    async (req) => {
      requireActor(req, 'agent', 'dispatcher', 'supervisor', 'admin');
      const q = req.query;
      const to = q.to ?? new Date().toISOString();
      const from = q.from ?? new Date(new Date(to).getTime() - 30 * 86400_000).toISOString();
      if (new Date(to).getTime() <= new Date(from).getTime()) throw badRequest('validation.toAfterFrom', {}, 'from');
      if (new Date(to).getTime() - new Date(from).getTime() > 366 * 86400_000) throw badRequest('validation.periodTooLong', { days: 366 }, 'from');
      return areaHeat(db, {
        level: q.level ?? 'district',
        from,
        to,
        openOnly: q.status === 'open',
        ids: q.workorderIds?.split(',').map(Number),
      });
    },
  );
}
