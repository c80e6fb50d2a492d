// Request schemas that other modules embed when they create orders (intake, the portal).
import { Type } from 'typebox';
import { Id, Nullable } from '../http/schemas.js';

/** Where an order's problem is; also embedded by other modules that create orders. */
export const OrderLocation = Type.Object(
  {
    address: Nullable(Type.String({ maxLength: 500 })),
    districtUnitId: Nullable(Id),
    lat: Nullable(Type.Number({ minimum: -90, maximum: 90 })),
    lng: Nullable(Type.Number({ minimum: -180, maximum: 180 })),
  },
  { additionalProperties: false },
);
