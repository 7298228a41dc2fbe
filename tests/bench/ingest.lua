-- wrk script of tests/bench/ingest.sh: POSTs one 226-byte analytics event
-- per request (or a batch of them), or a batch of LLM spans, each request's
-- body built fresh.
--
-- Environment:
--   BENCH_SHAPE  tally  {"type":"track","event":..,"userId":..,"messageId":..,
--                        "timestamp":..,"properties":{..}}   (cases a and c)
--                batch  {"batch":[ BENCH_BATCH tally events ]}  (case d)
--                seed   {"type":"track","name":..,"user_id":..,"ts":..,"props":{..}}  (case b)
--                otlp_pb    OTLP/HTTP protobuf ExportTraceServiceRequest,
--                           BENCH_SPANS spans                     (case f)
--                otlp_json  the same request in OTLP/JSON          (case g)
--                llm_events {"events":[ BENCH_SPANS cost-profiler calls ]}  (case h)
--   BENCH_KEY    sent as X-API-Key
--   BENCH_RUN    0..99, part of every messageId: runs never repeat an id
--                (the LLM shapes keep 0..65535 of it in every trace id)
--   BENCH_BATCH  events per batch [100]
--   BENCH_SPANS  spans per request of the LLM shapes [512]
--   BENCH_SAMPLE with an LLM shape: write the first body to this file, its
--                first and last trace ids to FILE.trace, and exit (ingest.sh's
--                check that tally accepts and stores what the benchmark sends)
--
-- Every event is exactly EVENT_BYTES long: messageId, userId and timestamp are
-- fixed-width. The tally shape's values are what tests/bench/sqlite_ref.c
-- stores (same name, userId cycle, properties text).
--
-- The LLM shapes send the same calls in three encodings: traces of 4 spans
-- (a root call and three children), GenAI semantic-convention attributes,
-- models priced by tally's shipped table. Each body is a template per span
-- built once, with the fixed-width parts that change per request (ids, times,
-- user, conversation) filled in; the ids are random with a unique part.
--
-- done() prints one machine-readable "BENCH ..." line for ingest.sh.

local EVENT_BYTES = 226
local USERS = 10000

local shape = os.getenv("BENCH_SHAPE") or "tally"
local key = os.getenv("BENCH_KEY") or ""
local run = (tonumber(os.getenv("BENCH_RUN") or "0") or 0) % 100
local nbatch = tonumber(os.getenv("BENCH_BATCH") or "100") or 100
if shape ~= "batch" then nbatch = 1 end
local llm = shape == "otlp_pb" or shape == "otlp_json" or shape == "llm_events"

wrk.method = "POST"
wrk.headers["Content-Type"] = shape == "otlp_pb" and "application/x-protobuf" or "application/json"
wrk.headers["X-API-Key"] = key

local props = '{"plan":"pro","amount":4999,"currency":"EUR","path":"/checkout","ref":"newsletter-11"}'

-- the pieces of one event around its variable parts
local P1, P2, P3, P4
if shape == "seed" then
	-- the seed's own field names; no messageId, so props carry the padding
	local fixed = '{"type":"track","name":"checkout_completed","user_id":"user_00000","ts":1700000000000,"props":'
	    .. props:sub(1, -2) .. ',"pad":""}}'
	local pad = string.rep("x", EVENT_BYTES - #fixed)
	P1 = '{"type":"track","name":"checkout_completed","user_id":"'
	P2 = '","ts":'
	P3 = ',"props":' .. props:sub(1, -2) .. ',"pad":"' .. pad .. '"}}'
else
	P1 = '{"type":"track","event":"checkout_completed","userId":"'
	P2 = '","messageId":"'
	P3 = '","timestamp":'
	P4 = ',"properties":' .. props .. '}'
end

local users = {}
for u = 0, USERS - 1 do users[u] = string.format("user_%05d", u) end

-- per thread (globals of each thread's Lua state)
tid = tid or 1
local counter = 0
local parts = {}
local suffix = {}
for i = 0, nbatch - 1 do suffix[i] = string.format("-%02d", i % 100) end

-- ---------------------------------------------------------------- LLM shapes
-- BENCH_SPANS calls per request in traces of SPANS_PER_TRACE: a root call
-- whose duration holds three child calls. The calls of span index i are the
-- same in every request, thread and shape (tokens, model, feature, timing);
-- what changes per request is filled into fixed-width holes of a template.
local nspans = tonumber(os.getenv("BENCH_SPANS") or "512") or 512
local run16 = (tonumber(os.getenv("BENCH_RUN") or "0") or 0) % 65536
local sample = os.getenv("BENCH_SAMPLE")
local SPANS_PER_TRACE = 4
local FEATURES = 50
local ntraces = math.ceil(nspans / SPANS_PER_TRACE)

-- provider as the OpenTelemetry GenAI conventions name it, model, and list
-- prices in USD per million tokens (input, output, cached input) as in
-- tally's shipped price table (sql/sqlite/003_prices.sql), from which h's
-- client computes its estimatedCostUsd. gpt-4o-mini twice: the common one.
local MODELS = {
	{ "openai", "gpt-4o-mini", 0.15, 0.60, 0.075 },
	{ "openai", "gpt-4o", 2.50, 10.00, 1.25 },
	{ "anthropic", "claude-3-5-sonnet-20241022", 3.00, 15.00, 0.30 },
	{ "openai", "gpt-4o-mini", 0.15, 0.60, 0.075 },
	{ "openai", "gpt-4.1-mini", 0.40, 1.60, 0.10 },
	{ "anthropic", "claude-3-5-haiku-20241022", 0.80, 4.00, 0.08 },
	{ "gcp.gemini", "gemini-2.0-flash", 0.10, 0.40, 0.025 },
	{ "openai", "o4-mini", 1.10, 4.40, 0.275 },
}
-- feature names as tallyctl demo-data makes them: chat-1 .. code-5
local STEMS = { "chat", "search", "summarize", "classify", "extract", "translate", "rewrite",
	"agent", "support", "code" }

-- what a template hole holds; widths in the protobuf encoding
local V_LIT, V_TRACE, V_SPAN, V_PARENT, V_START, V_END, V_USER, V_CONV = 0, 1, 2, 3, 4, 5, 6, 7
local PB_WIDTH = { [V_TRACE] = 16, [V_SPAN] = 8, [V_PARENT] = 8, [V_START] = 8, [V_END] = 8,
	[V_USER] = 10, [V_CONV] = 13 }

local hex4, bin2 = {}, {}       -- a 16-bit word as 4 hex digits and as 2 bytes, big-endian
local rk, rv, ri = {}, {}, {}   -- the template: kind, literal text, span index
local nrec = 0
local soff, eoff = {}, {}       -- span i's start and end, ms after the request's base time
local trace_ids, span_ids, users_of, convs = {}, {}, {}, {}
local body_len                  -- otlp_pb: the body's length, the same for every request

local function lit(s)
	if nrec > 0 and rk[nrec] == V_LIT then
		rv[nrec] = rv[nrec] .. s
	else
		nrec = nrec + 1; rk[nrec] = V_LIT; rv[nrec] = s
	end
end

local function hole(kind, i)
	nrec = nrec + 1; rk[nrec] = kind; rv[nrec] = false; ri[nrec] = i
end

-- protobuf wire format (protobuf.dev, "Encoding")
local function varint(n)
	local t = {}
	repeat
		local b = n % 128
		n = (n - b) / 128
		t[#t + 1] = string.char(n > 0 and b + 128 or b)
	until n == 0
	return table.concat(t)
end
local function pb_len(field, payload) return varint(field * 8 + 2) .. varint(#payload) .. payload end
local function pb_int(field, n) return varint(field * 8) .. varint(n) end
-- KeyValue{1 key, 2 AnyValue{1 string_value | 3 int_value | 4 double_value}} as field `field`
local function pb_kv_str(field, k, v) return pb_len(field, pb_len(1, k) .. pb_len(2, pb_len(1, v))) end
local function pb_kv_int(field, k, v) return pb_len(field, pb_len(1, k) .. pb_len(2, pb_int(3, v))) end
local function pb_kv_f64(field, k, bytes) return pb_len(field, pb_len(1, k) .. pb_len(2, "\033" .. bytes)) end
-- the bytes before a string KeyValue's value of `width` bytes
local function pb_kv_hole(field, k, width)
	local any = 1 + #varint(width) + width
	local kv = 1 + #varint(#k) + #k + 1 + #varint(any) + any
	return varint(field * 8 + 2) .. varint(kv) .. "\010" .. varint(#k) .. k .. "\018" .. varint(any)
	    .. "\010" .. varint(width)
end
-- gen_ai.request.temperature values as IEEE 754 doubles, little-endian
local TEMPERATURE = { ["0.2"] = "\154\153\153\153\153\153\201\063", ["0.7"] = "\102\102\102\102\102\102\230\063" }

-- ms since the epoch as fixed64 nanoseconds, little-endian, exact in doubles
local function fixed64_ns(ms)
	local lo = ms % 16777216
	local a, b = (ms - lo) / 16777216 * 1000000, lo * 1000000     -- ns = a * 2^24 + b
	local carry = math.floor(b / 16777216)
	b = b - carry * 16777216
	a = a + carry
	return string.char(b % 256, math.floor(b / 256) % 256, math.floor(b / 65536),
	    a % 256, math.floor(a / 256) % 256, math.floor(a / 65536) % 256,
	    math.floor(a / 16777216) % 256, math.floor(a / 4294967296) % 256)
end

local function json_kv_str(k, v) return '{"key":"' .. k .. '","value":{"stringValue":"' .. v .. '"}}' end
local function json_kv_int(k, v) return '{"key":"' .. k .. '","value":{"intValue":"' .. v .. '"}}' end
local function json_kv_f64(k, v) return '{"key":"' .. k .. '","value":{"doubleValue":' .. v .. '}}' end

-- Park-Miller: the same per-index values on every machine
local seed_state = 1
local function prand(n)
	seed_state = seed_state * 16807 % 2147483647
	return seed_state % n
end

-- One span's template (protobuf: its Span message, framed as ScopeSpans.spans).
local function span_template(i)
	local j, k = math.floor(i / SPANS_PER_TRACE), i % SPANS_PER_TRACE
	local mi = (j * 3 + (k == 2 and 5 or 0)) % #MODELS + 1
	local provider, model = MODELS[mi][1], MODELS[mi][2]
	local f = j % FEATURES
	local feature = STEMS[f % 10 + 1] .. "-" .. (math.floor(f / 10) + 1)
	local input = 200 + prand(3800) + (k > 0 and 600 or 0)
	local output = 20 + prand(k == 0 and 80 or 600)
	local cached = prand(3) == 0 and math.floor(input * prand(60) / 100) or 0
	local temp = k == 0 and "0.2" or "0.7"
	local err = i % 128 == 77
	local name = "chat " .. model
	local cost = ((input - cached) * MODELS[mi][3] + output * MODELS[mi][4] + cached * MODELS[mi][5]) / 1e6
	local latency = eoff[i] - soff[i]

	if shape == "llm_events" then
		lit(i > 0 and ',{"traceId":"' or '{"traceId":"'); hole(V_TRACE, i)
		lit('","spanId":"'); hole(V_SPAN, i)
		if k > 0 then lit('","parentSpanId":"'); hole(V_PARENT, i) end
		lit('","feature":"' .. feature .. '","userId":"'); hole(V_USER, i)
		lit(string.format('","provider":"%s","model":"%s","inputTokens":%d,"outputTokens":%d,'
		    .. '"cachedTokens":%d,"latencyMs":%d,"estimatedCostUsd":%.8f}',
		    provider, model, input, output, cached, latency, cost))
	elseif shape == "otlp_json" then
		lit(i > 0 and ',{"traceId":"' or '{"traceId":"'); hole(V_TRACE, i)
		lit('","spanId":"'); hole(V_SPAN, i)
		if k > 0 then lit('","parentSpanId":"'); hole(V_PARENT, i) end
		lit('","name":"' .. name .. '","kind":3,"startTimeUnixNano":"'); hole(V_START, i)
		lit('","endTimeUnixNano":"'); hole(V_END, i)
		lit('","attributes":[' .. table.concat({
		    json_kv_str("gen_ai.operation.name", "chat"),
		    json_kv_str("gen_ai.provider.name", provider),
		    json_kv_str("gen_ai.request.model", model),
		    json_kv_f64("gen_ai.request.temperature", temp),
		    json_kv_int("gen_ai.usage.input_tokens", input),
		    json_kv_int("gen_ai.usage.output_tokens", output),
		    json_kv_int("gen_ai.usage.cache_read.input_tokens", cached),
		    json_kv_str("tally.feature", feature) }, ",")
		    .. ',{"key":"gen_ai.conversation.id","value":{"stringValue":"'); hole(V_CONV, i)
		lit('"}},{"key":"user.id","value":{"stringValue":"'); hole(V_USER, i)
		lit('"}}],"status":' .. (err and '{"code":2,"message":"rate_limit_exceeded"}}' or '{"code":1}}'))
	else
		-- the Span's fields in number order; its length is fixed by the template
		local pieces = {
			{ "\010\016", V_TRACE }, { "\018\008", V_SPAN },
			k > 0 and { "\034\008", V_PARENT } or { "" },
			{ pb_len(5, name) .. pb_int(6, 3) .. "\057", V_START }, { "\065", V_END },
			{ pb_kv_str(9, "gen_ai.operation.name", "chat")
			    .. pb_kv_str(9, "gen_ai.provider.name", provider)
			    .. pb_kv_str(9, "gen_ai.request.model", model)
			    .. pb_kv_f64(9, "gen_ai.request.temperature", TEMPERATURE[temp])
			    .. pb_kv_int(9, "gen_ai.usage.input_tokens", input)
			    .. pb_kv_int(9, "gen_ai.usage.output_tokens", output)
			    .. pb_kv_int(9, "gen_ai.usage.cache_read.input_tokens", cached)
			    .. pb_kv_str(9, "tally.feature", feature)
			    .. pb_kv_hole(9, "gen_ai.conversation.id", PB_WIDTH[V_CONV]), V_CONV },
			{ pb_kv_hole(9, "user.id", PB_WIDTH[V_USER]), V_USER },
			{ err and pb_len(15, pb_len(2, "rate_limit_exceeded") .. pb_int(3, 2)) or pb_len(15, pb_int(3, 1)) },
		}
		local len = 0
		for _, p in ipairs(pieces) do len = len + #p[1] + (p[2] and PB_WIDTH[p[2]] or 0) end
		lit(varint(2 * 8 + 2) .. varint(len))
		for _, p in ipairs(pieces) do
			lit(p[1])
			if p[2] then hole(p[2], i) end
		end
		return len + 1 + #varint(len)
	end
	return 0
end

local function llm_fill(counter, now_ms)
	local pb = shape == "otlp_pb"
	local id = pb and bin2 or hex4
	local base = now_ms - 60000         -- the calls ended within the last minute
	local chi, clo = math.floor(counter / 65536) % 65536, counter % 65536
	local wtid = tid % 65536
	local random = math.random
	local n = 0
	-- trace id: random, with (run, thread, request, trace) inside it for uniqueness
	for j = 0, ntraces - 1 do
		trace_ids[j] = id[random(0, 65535)] .. id[random(0, 65535)] .. id[run16] .. id[wtid]
		    .. id[chi] .. id[clo] .. id[j] .. id[random(0, 65535)]
		users_of[j] = users[(counter * ntraces + j * 31 + tid * 5003) % USERS]
		-- about three traces a conversation
		convs[j] = "conv-" .. hex4[(run16 * 8 + tid) % 65536] .. hex4[math.floor((counter * ntraces + j) / 3) % 65536]
	end
	-- span id: random, unique in its trace by the span's index
	for i = 0, nspans - 1 do
		span_ids[i] = id[random(0, 65535)] .. id[random(0, 65535)] .. id[random(0, 65535)] .. id[i + 1]
	end
	for x = 1, nrec do
		local k, v = rk[x]
		if k == V_LIT then
			v = rv[x]
		else
			local i = ri[x]
			local j = math.floor(i / SPANS_PER_TRACE)
			if k == V_TRACE then v = trace_ids[j]
			elseif k == V_SPAN then v = span_ids[i]
			elseif k == V_PARENT then v = span_ids[j * SPANS_PER_TRACE]
			elseif k == V_USER then v = users_of[j]
			elseif k == V_CONV then v = convs[j]
			else
				local ms = base + (k == V_START and soff[i] or eoff[i])
				v = pb and fixed64_ns(ms) or string.format("%d000000", ms)
			end
		end
		n = n + 1
		parts[n] = v
	end
	return n
end

local function llm_init()
	for v = 0, 65535 do
		hex4[v] = string.format("%04x", v)
		bin2[v] = string.char(math.floor(v / 256), v % 256)
	end
	math.randomseed(os.time() * 1000 + run16 * 64 + tid)
	-- timing: children start one after the other inside the root
	for j = 0, ntraces - 1 do
		local r = j * SPANS_PER_TRACE
		local t = 15
		for k = 1, SPANS_PER_TRACE - 1 do
			if r + k < nspans then
				soff[r + k] = t
				eoff[r + k] = t + 300 + prand(2500)
				t = eoff[r + k] + 5
			end
		end
		soff[r] = 0
		eoff[r] = t + 20
	end
	seed_state = 1
	local spans_len = 0
	if shape == "otlp_json" then
		lit('{"resourceSpans":[{"resource":{"attributes":['
		    .. json_kv_str("service.name", "bench-assistant") .. ","
		    .. json_kv_str("deployment.environment.name", "bench")
		    .. ']},"scopeSpans":[{"scope":{"name":"opentelemetry.instrumentation.openai","version":"0.48.0"},"spans":[')
	elseif shape == "llm_events" then
		lit('{"events":[')
	end
	for i = 0, nspans - 1 do spans_len = spans_len + span_template(i) end
	if shape == "otlp_json" then
		lit("]}]}]}")
	elseif shape == "llm_events" then
		lit("]}")
	else
		-- ExportTraceServiceRequest{1 ResourceSpans{1 Resource, 2 ScopeSpans{1 scope, 2 spans}}}
		local resource = pb_len(1, pb_kv_str(1, "service.name", "bench-assistant")
		    .. pb_kv_str(1, "deployment.environment.name", "bench"))
		local scope = pb_len(1, pb_len(1, "opentelemetry.instrumentation.openai") .. pb_len(2, "0.48.0"))
		local ss_len = #scope + spans_len
		local rs_len = #resource + 1 + #varint(ss_len) + ss_len
		local top = varint(1 * 8 + 2) .. varint(rs_len) .. resource .. varint(2 * 8 + 2) .. varint(ss_len) .. scope
		-- the header goes first: shift the template by one
		table.insert(rk, 1, V_LIT); table.insert(rv, 1, top); table.insert(ri, 1, false)
		nrec = nrec + 1
		body_len = #top + spans_len
	end
	if sample then
		local n = llm_fill(0, os.time() * 1000)
		local body = table.concat(parts, "", 1, n)
		if body_len and #body ~= body_len then
			error(string.format("ingest.lua: %s body is %d bytes, expected %d", shape, #body, body_len))
		end
		local f = assert(io.open(sample, "wb"))
		f:write(body)
		f:close()
		-- the first and the last trace, as hex
		f = assert(io.open(sample .. ".trace", "w"))
		for _, t in ipairs({ trace_ids[0], trace_ids[ntraces - 1] }) do
			if shape == "otlp_pb" then t = t:gsub(".", function(c) return string.format("%02x", c:byte()) end) end
			f:write(t, "\n")
		end
		f:close()
		os.exit(0)
	end
end

local threads_list = {}
local next_tid = 1
function setup(thread)
	thread:set("tid", next_tid)
	next_tid = next_tid + 1
	table.insert(threads_list, thread)
end

local function fill(counter, now_ms)
	local n = 0
	local ts = string.format("%13d", now_ms)
	local ubase = counter * nbatch + tid * 5003
	if shape == "seed" then
		n = n + 1; parts[n] = P1
		n = n + 1; parts[n] = users[ubase % USERS]
		n = n + 1; parts[n] = P2
		n = n + 1; parts[n] = ts
		n = n + 1; parts[n] = P3
		return n
	end
	-- "bm-RR-T-CCCCCCC-II": 18 characters whatever the counter
	local mid = string.format("bm-%02d-%d-%07d", run, tid % 10, counter % 10000000)
	if shape == "batch" then n = n + 1; parts[n] = '{"batch":[' end
	for i = 0, nbatch - 1 do
		if i > 0 then n = n + 1; parts[n] = "," end
		n = n + 1; parts[n] = P1
		n = n + 1; parts[n] = users[(ubase + i) % USERS]
		n = n + 1; parts[n] = P2
		n = n + 1; parts[n] = mid
		n = n + 1; parts[n] = suffix[i]
		n = n + 1; parts[n] = P3
		n = n + 1; parts[n] = ts
		n = n + 1; parts[n] = P4
	end
	if shape == "batch" then n = n + 1; parts[n] = "]}" end
	return n
end

function init(args)
	if llm then return llm_init() end
	-- the body's size is part of the contract with ingest.sh: check it once
	local n = fill(0, 1700000000000)
	local one = table.concat(parts, "", 1, n)
	local want = shape == "batch" and (EVENT_BYTES + 1) * nbatch - 1 + 12 or EVENT_BYTES
	if #one ~= want then
		error(string.format("ingest.lua: %s body is %d bytes, expected %d", shape, #one, want))
	end
end

function request()
	counter = counter + 1
	local n = (llm and llm_fill or fill)(counter, os.time() * 1000 + counter % 1000)
	return wrk.format(nil, nil, nil, table.concat(parts, "", 1, n))
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
	    "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
	    .. "status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
	    summary.requests, summary.duration, summary.bytes,
	    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
	    e.status, e.connect, e.read, e.write, e.timeout))
end
