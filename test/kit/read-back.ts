// What a test reads back (a parsed response body, rows from a database) to assert on. Each test asserts on the fields
// it expects, so a wrong shape fails there; typing every such value would restate the API's schemas in the tests.
// biome-ignore lint/suspicious/noExplicitAny: the test's own assertions are the check on this value's shape
export type ReadBack = any;
