// The part of trace-anything@1.0.2 (no types of its own) that the tracer uses.
declare module 'trace-anything' {
  export interface TraceOptions {
    inPlace?: boolean;
    methods?: boolean;
    properties?: boolean;
    treatPromisePropertiesAsEvents?: boolean;
    extraProperties?: string[];
    skipProperties?: string[];
    events?: boolean;
    skipEvents?: string[];
    exploreResultFields?: string[];
    logger?: (log: import('./adapter.js').TraceLog) => void;
    logAsyncResultsImmediately?: boolean;
    idProperty?: string | null;
  }
  /** A class whose instances are traced (constructors of the page's EME interfaces). */
  type Traceable = abstract new (...args: never[]) => object;
  export const TraceAnything: {
    traceClass(ctor: Traceable, options: TraceOptions): unknown;
    traceMember(object: object, name: string, options: TraceOptions): unknown;
    tracePrototype(ctor: Traceable, name: string, options: TraceOptions): unknown;
  };
}
