-- wrk script of bench:local (bench/loadGenerators.ts): POSTs the request bodies of a pool file (one
-- JSON body per line) to the path given, each with event ids of its own: every "__ID__" in a body
-- becomes the request number as 10 hex digits (as bench/loadGenerators.ts requestNumberText), so the
-- lake's loss check can count each event exactly once and the ids can be canonical UUIDs.
-- Run with one wrk thread (-t1): the request counter is per thread.
--
-- Each body is split at its placeholders once, in init, and every request is one table.concat of
-- the pieces and the id: a gsub over the ~10 KB body per request cost ~3.5x the CPU (81 against 24 us
-- per request against a trivial server, one run each), and the generator's CPU is taken from the
-- pipeline it measures.
local templates = {}
local path = "/v1/events"
local counter = 0
local pieces = {}

function init(args)
  if args[2] then path = args[2] end
  for line in io.lines(args[1]) do
    local parts = {}
    local start = 1
    while true do
      local i, j = string.find(line, "__ID__", start, true)
      if not i then parts[#parts + 1] = string.sub(line, start); break end
      parts[#parts + 1] = string.sub(line, start, i - 1)
      start = j + 1
    end
    templates[#templates + 1] = parts
  end
  if #templates == 0 then error("no request bodies in " .. tostring(args[1])) end
end

function request()
  counter = counter + 1
  local parts = templates[(counter % #templates) + 1]
  local id = string.format("%010x", counter)
  local n = #parts
  for k = 1, n - 1 do pieces[2 * k - 1] = parts[k]; pieces[2 * k] = id end
  pieces[2 * n - 1] = parts[n]
  for k = 2 * n, #pieces do pieces[k] = nil end
  local body = table.concat(pieces)
  return "POST " .. path .. " HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port .. "\r\nContent-Type: application/json\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
end

-- One machine-readable line for the bench (latencies in ms; errors.status counts non-2xx/3xx answers).
function done(summary, latency, requests)
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%.3f,"p99":%.3f,"max":%.3f,"durationUs":%d}\n',
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.duration))
end
