-- wrk script: POSTs the JSON bodies of a file (one per line) in turn.
--   wrk ... -s post-bodies.lua URL -- BODIES_FILE [RATE_PER_THREAD]
-- RATE_PER_THREAD > 0 paces each wrk thread to that many requests per second (wrk has no fixed
-- rate mode and wrk2 is not in Debian): every request has a slot start + k/rate, and delay()
-- holds a connection until its slot. Latency is measured from the actual send.
-- With BENCH_CHECK=1 it counts answers that are not {"allowed":true,...} (refused=N in the result);
-- the measured runs leave it off, so that checking costs wrk nothing. BENCH_AUTH is the API key.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bl_timespec;
  int clock_gettime(int clk_id, bl_timespec *tp);
]]
local ts = ffi.new("bl_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  rate = tonumber(args[2] or "0") or 0
  index = (id or 1) * 7919 % #bodies
  sent = 0
  refused = 0
  start = nil
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if os.getenv("BENCH_AUTH") then
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_AUTH")
  end
end

function delay()
  if rate <= 0 then
    return 0
  end
  local t = now_ms()
  if start == nil then
    start = t
  end
  local slot = start + sent * 1000 / rate
  sent = sent + 1
  if slot > t then
    return slot - t
  end
  return 0
end

function request()
  index = index % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[index])
end

if os.getenv("BENCH_CHECK") == "1" then
  function response(status, headers, body)
    if status ~= 200 or not string.find(body, '"allowed":true', 1, true) then
      refused = refused + 1
      if refused <= 3 then
        io.stderr:write("refused: " .. status .. " " .. body .. "\n")
      end
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("refused") or 0)
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d refused=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout, bad))
end
