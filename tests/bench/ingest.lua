-- wrk script of tests/bench/ingest.sh: POSTs one 226-byte analytics event
-- per request (or a batch of them), each request's body built fresh.
--
-- Environment:
--   BENCH_SHAPE  tally  {"type":"track","event":..,"userId":..,"messageId":..,
--                        "timestamp":..,"properties":{..}}   (cases a and c)
--                batch  {"batch":[ BENCH_BATCH tally events ]}  (case d)
--                seed   {"type":"track","name":..,"user_id":..,"ts":..,"props":{..}}  (case b)
--   BENCH_KEY    sent as X-API-Key
--   BENCH_RUN    0..99, part of every messageId: runs never repeat an id
--   BENCH_BATCH  events per batch [100]
--
-- Every event is exactly EVENT_BYTES long: messageId, userId and timestamp are
-- fixed-width. The tally shape's values are what tests/bench/sqlite_ref.c
-- stores (same name, userId cycle, properties text).
--
-- done() prints one machine-readable "BENCH ..." line for ingest.sh.

local EVENT_BYTES = 226
local USERS = 10000

local shape = os.getenv("BENCH_SHAPE") or "tally"
local key = os.getenv("BENCH_KEY") or ""
local run = (tonumber(os.getenv("BENCH_RUN") or "0") or 0) % 100
local nbatch = tonumber(os.getenv("BENCH_BATCH") or "100") or 100
if shape ~= "batch" then nbatch = 1 end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
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
	local n = fill(counter, os.time() * 1000 + counter % 1000)
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
