// The real OpenTelemetry JS SDK (pinned in package.json) exporting to tally:
// SPEC §5.2 says an OTLP/HTTP exporter pointed at /api/v1/otlp/v1/traces works
// unchanged, as JSON (exporter-trace-otlp-http) and as protobuf
// (exporter-trace-otlp-proto), gzip or not, and that the GenAI semantic
// conventions map to the LLM call fields of §5.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, SpanKind } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startStack, expectStatus, uid } from './lib/stack.js';

let stack;
let t;

// The project's own price, in USD per million tokens: input, output, cached input.
const PRICE = { provider: 'openai', pattern: 'gpt-4o*', input: '2.5', output: '10', cached: '1.25' };

before(async () => {
  stack = await startStack();
  t = await stack.tenant('otel');
  await stack.ctl('prices', 'set', PRICE.provider, PRICE.pattern, PRICE.input, PRICE.output, PRICE.cached,
    '--project', t.slug, '--from', '2000-01-01');
});

after(async () => {
  if (stack) await stack.stop();
});

/** Wraps an exporter and records the result of every export call. */
function recording(exporter) {
  const results = [];
  return {
    results,
    export(spans, done) {
      exporter.export(spans, (result) => {
        results.push({ result, spans });
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => (exporter.forceFlush ? exporter.forceFlush() : Promise.resolve()),
  };
}

/** A provider whose only processor sends to tally through `Exporter`. */
function pipeline(Exporter, { batch = false, compression } = {}) {
  const exporter = recording(new Exporter({
    url: `${stack.base}/api/v1/otlp/v1/traces`,
    headers: { Authorization: `Bearer ${t.ingest}` },
    timeoutMillis: 10000,
    ...(compression ? { compression } : {}),
  }));
  const processor = batch
    ? new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60000, maxExportBatchSize: 512 })
    : new SimpleSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel-e2e-chat', 'service.version': '1.2.3' }),
    spanProcessors: [processor],
  });
  return { provider, exporter, tracer: provider.getTracer('tally-e2e', '1.0.0') };
}

/** An HrTime [seconds, nanoseconds] `ms` (fractional) after `base`. */
function hr(base, ms) {
  const ns = base[1] + Math.round(ms * 1e6);
  return [base[0] + Math.floor(ns / 1e9), ns % 1e9];
}

const hrNs = (h) => BigInt(h[0]) * 1000000000n + BigInt(h[1]);
const durationMs = (span) => Number(hrNs(span.endTime) - hrNs(span.startTime)) / 1e6;

/**
 * Emits a chat turn: a plain parent span and one GenAI child span with the
 * given attributes, at fixed sub-millisecond times (so the durations are
 * known exactly). Ends both, flushes, and returns the ids and SDK spans.
 */
async function chatTurn(p, attributes) {
  const nowS = Math.floor(Date.now() / 1000) - 5;
  const t0 = [nowS, 123456789];
  const parent = p.tracer.startSpan('chat turn', { kind: SpanKind.SERVER, startTime: t0 });
  const ctx = trace.setSpan(context.active(), parent);
  const child = p.tracer.startSpan(`chat ${attributes['gen_ai.request.model'] || ''}`.trim(),
    { kind: SpanKind.CLIENT, startTime: hr(t0, 10.25), attributes }, ctx);
  child.end(hr(t0, 10.25 + 1234.567));
  parent.end(hr(t0, 1300.5));
  await p.provider.forceFlush();
  return {
    traceId: parent.spanContext().traceId,
    parentId: parent.spanContext().spanId,
    childId: child.spanContext().spanId,
    parent,
    child,
  };
}

/** Every export the exporter made succeeded, and `spanIds` were among them. */
function assertExported(exporter, spanIds) {
  assert.ok(exporter.results.length >= 1, 'the exporter made at least one export');
  for (const { result } of exporter.results) {
    assert.equal(result.code, ExportResultCode.SUCCESS,
      `export failed: ${result.error && (result.error.message || result.error)}`);
  }
  const sent = exporter.results.flatMap((r) => r.spans.map((s) => s.spanContext().spanId));
  for (const id of spanIds) assert.ok(sent.includes(id), `span ${id} was exported`);
}

async function getTrace(traceId) {
  const res = await stack.get(`/api/v1/traces/${traceId}`, { key: t.secret });
  expectStatus(stack, res, 200);
  return res.body.data;
}

/**
 * The verified cost of SPEC §5.1 in nano-dollars for the installed price:
 * round(((input - cached) × in + cached × cachedPrice + output × out) / 1e6),
 * prices in nano-dollars per million tokens, half up.
 */
function expectedNusd(input, output, cached) {
  const nusd = (usd) => BigInt(Math.round(Number(usd) * 1e9));
  const num = BigInt(input - cached) * nusd(PRICE.input) + BigInt(cached) * nusd(PRICE.cached) +
    BigInt(output) * nusd(PRICE.output);
  return Number((num + 500000n) / 1000000n);
}

/** The cost fields of a GenAI span: priced by the project's price, to the nano-dollar. */
function assertCost(span, tokens) {
  assert.equal(span.priced, true, 'the project price matches the model');
  assert.equal(span.costNusd, expectedNusd(tokens.input, tokens.output, tokens.cached));
  assert.ok(Math.abs(span.cost - span.costNusd / 1e9) < 1e-12, `cost ${span.cost} is costNusd in USD`);
}

/** Checks a stored chat turn against what the SDK sent. */
async function assertTurn(turn, want) {
  const data = await getTrace(turn.traceId);
  assert.equal(data.traceId, turn.traceId);
  assert.equal(data.spanCount, 2);
  assert.equal(data.callCount, 1, 'only the GenAI span is an LLM call');
  assert.equal(data.inputTokens, want.input);
  assert.equal(data.outputTokens, want.output);
  assert.equal(data.cachedTokens, want.cached);
  assert.equal(data.totalTokens, want.input + want.output);
  assert.equal(data.sessionId, want.session);
  assert.equal(data.userId, want.user);

  // the tree: one root (the parent), its one child (the GenAI span)
  assert.equal(data.spans.length, 1, `one root span: ${JSON.stringify(data.spans)}`);
  const root = data.spans[0];
  assert.equal(root.spanId, turn.parentId);
  assert.equal(root.parentSpanId, undefined);
  assert.equal(root.name, 'chat turn');
  assert.equal(root.model, undefined, 'the parent is a plain span');
  assert.ok(Array.isArray(root.children) && root.children.length === 1, JSON.stringify(root));
  const call = root.children[0];
  assert.equal(call.spanId, turn.childId);
  assert.equal(call.parentSpanId, turn.parentId);
  assert.equal(call.children, undefined);

  assert.equal(call.provider, want.provider);
  assert.equal(call.model, want.model);
  assert.equal(call.inputTokens, want.input, 'inputTokens counts the cached ones too');
  assert.equal(call.outputTokens, want.output);
  assert.equal(call.cachedTokens, want.cached);
  assert.equal(call.sessionId, want.session);
  assert.equal(call.userId, want.user);
  assert.equal(call.feature, 'otel-e2e-chat', 'resource service.name is the feature');
  assert.equal(call.status, 'ok');

  // latency is the span's duration, kept below the millisecond
  assert.ok(Math.abs(call.latencyMs - durationMs(turn.child)) < 0.002,
    `latencyMs ${call.latencyMs} vs duration ${durationMs(turn.child)}`);
  assert.ok(Math.abs(call.latencyMs - 1234.567) < 0.002, `latencyMs ${call.latencyMs}`);
  assert.ok(Math.abs(root.latencyMs - durationMs(turn.parent)) < 0.002,
    `root latencyMs ${root.latencyMs} vs ${durationMs(turn.parent)}`);
  assert.ok(Math.abs(Date.parse(call.startTime) - Number(hrNs(turn.child.startTime) / 1000000n)) <= 1,
    `startTime ${call.startTime}`);

  assertCost(call, want);
  assert.equal(data.costNusd, call.costNusd + root.costNusd, 'the trace cost is the sum of its spans');
  assert.equal(root.costNusd, 0);
  return data;
}

/** The trace list filtered by session holds exactly this trace. */
async function assertListed(session, traceId) {
  const res = await stack.get(`/api/v1/traces?sessionId=${encodeURIComponent(session)}`, { key: t.secret });
  expectStatus(stack, res, 200);
  assert.deepEqual(res.body.data.map((x) => x.traceId), [traceId]);
  const row = res.body.data[0];
  assert.equal(row.sessionId, session);
  assert.equal(row.spanCount, 2);
  assert.equal(row.callCount, 1);
}

function genAi({ session, user, provider = 'openai', legacy = false, tokens }) {
  const a = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o-2024-08-06',
    'gen_ai.response.model': 'gpt-4o-2024-08-06-resp',
    'gen_ai.conversation.id': session,
    'user.id': user,
    'gen_ai.usage.cache_read.input_tokens': tokens.cached,
  };
  if (legacy) {
    a['gen_ai.system'] = provider;
    a['gen_ai.usage.prompt_tokens'] = tokens.input;
    a['gen_ai.usage.completion_tokens'] = tokens.output;
  } else {
    a['gen_ai.provider.name'] = provider;
    a['gen_ai.usage.input_tokens'] = tokens.input;
    a['gen_ai.usage.output_tokens'] = tokens.output;
  }
  return a;
}

const cases = [
  { name: 'OTLP/HTTP JSON (exporter-trace-otlp-http), SimpleSpanProcessor, gen_ai.provider.name',
    Exporter: JsonExporter, batch: false, legacy: false },
  { name: 'OTLP/HTTP protobuf (exporter-trace-otlp-proto), BatchSpanProcessor, deprecated gen_ai.system',
    Exporter: ProtoExporter, batch: true, legacy: true },
  { name: 'OTLP/HTTP JSON with gzip compression', Exporter: JsonExporter, batch: true, compression: 'gzip' },
  { name: 'OTLP/HTTP protobuf with gzip compression', Exporter: ProtoExporter, batch: false, compression: 'gzip',
    legacy: true },
];

for (const [i, c] of cases.entries()) {
  test(c.name, async () => {
    const p = pipeline(c.Exporter, c);
    try {
      const session = uid('otel-conv');
      const user = `otel-user-${i}`;
      const tokens = { input: 1200 + i * 1000, output: 345 + i, cached: 400 + i * 7 };
      const turn = await chatTurn(p, genAi({ session, user, legacy: c.legacy, tokens }));
      assertExported(p.exporter, [turn.parentId, turn.childId]);
      if (c.batch) assert.equal(p.exporter.results.length, 1, 'the batch processor sent both spans at once');
      await assertTurn(turn, { ...tokens, session, user, provider: 'openai', model: 'gpt-4o-2024-08-06' });
      await assertListed(session, turn.traceId);
    } finally {
      await p.provider.shutdown();
    }
  });
}

test('several turns of one conversation through one exporter, listed by session and user', async () => {
  const p = pipeline(ProtoExporter, { batch: true });
  try {
    const session = uid('otel-multi');
    const user = 'otel-user-multi';
    const tokens = { input: 10, output: 20, cached: 0 };
    const turns = [];
    for (let k = 0; k < 3; k++) turns.push(await chatTurn(p, genAi({ session, user, tokens })));
    assertExported(p.exporter, turns.flatMap((x) => [x.parentId, x.childId]));
    const res = await stack.get(`/api/v1/traces?sessionId=${encodeURIComponent(session)}&limit=2`, { key: t.secret });
    expectStatus(stack, res, 200);
    assert.equal(res.body.data.length, 2);
    assert.ok(res.body.next_cursor, 'a second page');
    const next = await stack.get(`/api/v1/traces?sessionId=${encodeURIComponent(session)}&limit=2&cursor=${
      encodeURIComponent(res.body.next_cursor)}`, { key: t.secret });
    expectStatus(stack, next, 200);
    const listed = [...res.body.data, ...next.body.data].map((x) => x.traceId);
    assert.deepEqual([...listed].sort(), turns.map((x) => x.traceId).sort());
    const byUser = await stack.get(`/api/v1/traces?userId=${user}&limit=100`, { key: t.secret });
    expectStatus(stack, byUser, 200);
    assert.deepEqual(byUser.body.data.map((x) => x.traceId).sort(), turns.map((x) => x.traceId).sort());
  } finally {
    await p.provider.shutdown();
  }
});

test('an exporter with a wrong key sees a failed export and nothing is stored', async () => {
  const exporter = recording(new JsonExporter({
    url: `${stack.base}/api/v1/otlp/v1/traces`,
    headers: { Authorization: `Bearer tk_pub_${'Z'.repeat(t.ingest.length - 7)}` },
    timeoutMillis: 10000,
  }));
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  try {
    const span = provider.getTracer('tally-e2e').startSpan('refused', {
      attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.conversation.id': 'otel-refused' } });
    span.end();
    // the processor passes the failed export on to forceFlush's caller
    const flushErr = await provider.forceFlush().then(() => null, (err) => err);
    assert.equal(exporter.results.length, 1);
    assert.equal(exporter.results[0].result.code, ExportResultCode.FAILED);
    const err = exporter.results[0].result.error;
    assert.equal(err && err.code, 401, String(err));
    assert.equal(JSON.parse(err.data).error, 'invalid_credentials');
    if (flushErr) assert.match(String(flushErr.message || flushErr), /Unauthorized/);
    const res = await stack.get(`/api/v1/traces/${span.spanContext().traceId}`, { key: t.secret });
    assert.equal(res.status, 404);
  } finally {
    await provider.shutdown();
  }
});
