/**
 * The shape of the generated schema (see scripts/gen-schema.mjs): just enough reflection for
 * our codec to encode and decode every LLB message.
 */

export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64';

interface FieldBase {
  /** Field name as written in proto/llb.proto (also the protojson name BuildKit's dumps use). */
  readonly name: string;
  /** Field number on the wire. */
  readonly no: number;
  /** Name of the oneof this field belongs to, if any. */
  readonly oneof?: string;
}

export interface ScalarField extends FieldBase {
  readonly kind: 'scalar';
  readonly type: ScalarType;
  readonly repeated?: boolean;
}

export interface EnumField extends FieldBase {
  readonly kind: 'enum';
  readonly type: string;
  readonly repeated?: boolean;
}

export interface MessageField extends FieldBase {
  readonly kind: 'message';
  readonly type: string;
  readonly repeated?: boolean;
}

export interface MapField extends FieldBase {
  readonly kind: 'map';
  readonly keyType: ScalarType;
  readonly valueKind: 'scalar' | 'enum' | 'message';
  readonly type: string;
}

export type FieldDescriptor = ScalarField | EnumField | MessageField | MapField;

export interface Schema {
  readonly messages: Readonly<Record<string, readonly FieldDescriptor[]>>;
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
}
