/**
 * The Standard Schema interface (https://standardschema.dev), version 1, restated here so the
 * contract depends on no validation library. zod 4, valibot and arktype schemas all carry a
 * `~standard` property of this shape, so a plugin may declare its configs with any of them; core
 * validates only through `~standard.validate`.
 */
export type StandardSchemaV1<Input = unknown, Output = Input> = {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
};

/** Types of the {@link StandardSchemaV1} interface. */
export declare namespace StandardSchemaV1 {
  /** What a schema exposes under `~standard`. */
  type Props<Input = unknown, Output = Input> = {
    readonly version: 1;
    /** The library that made the schema (`zod`, `valibot`, …). */
    readonly vendor: string;
    /** Checks `value`; may return a promise for asynchronous checks. */
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    /** Type-level only: the input and output types. */
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
  /** The outcome of a validation. */
  type Result<Output> = SuccessResult<Output> | FailureResult;
  /** A value that passed, as the schema transformed it. */
  type SuccessResult<Output> = { readonly value: Output; readonly issues?: undefined };
  /** A value that failed, with every problem found. */
  type FailureResult = { readonly issues: ReadonlyArray<Issue> };
  /** One problem: a message and where it is. */
  type Issue = {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  };
  /** A path step given as an object. */
  type PathSegment = { readonly key: PropertyKey };
  /** The input type of a schema. */
  type InferInput<Schema extends StandardSchemaV1> = NonNullable<
    Schema['~standard']['types']
  >['input'];
  /** The output type of a schema (what `validate` returns on success). */
  type InferOutput<Schema extends StandardSchemaV1> = NonNullable<
    Schema['~standard']['types']
  >['output'];
}
