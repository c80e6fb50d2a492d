// Small schema helpers shared by the modules' routes.
import { Type, type TSchema } from 'typebox';

/** A string enum as plain JSON schema {enum:[…]}, so validation errors list the allowed values. */
export function StringEnum<const T extends readonly string[]>(values: T, opts: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}

export const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
export const IdParams = Type.Object({ id: Id });

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    field: Type.Optional(Type.String()),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

/** Required text: at least one non-space character. */
export const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });
/** An optional field that may also be null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
