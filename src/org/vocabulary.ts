// Staff roles and kinds of unit. No imports, so the web app shares this file with the server.
export const ROLES = ['agent', 'dispatcher', 'handler', 'unit_manager', 'followup', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const UNIT_KINDS = ['city', 'district', 'subdistrict', 'community', 'bureau', 'utility'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
