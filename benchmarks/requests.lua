-- wrk script: send pre-built requests read from a file, each thread its own share.
--
-- WRK_THREADS=n [WRK_SPACING_MS=ms] wrk -t n -s requests.lua URL -- FILE METHOD PATH HEADER
-- FILE holds one request per line: "<header value>\t<body>" (the body may be empty).
-- HEADER names the header the first field goes in (Stripe-Signature, Authorization).
-- Thread k of n sends lines k, k+n, k+2n... in order and wraps around at the end
-- ("wrapped" in the summary says how often: for new events it must stay 0).
-- WRK_SPACING_MS spaces each connection's requests by that many ms on average (the
-- "half of peak" scenarios); without it requests go back to back.
-- done() prints one JSON line with the counts and the latency percentiles (microseconds).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, method, path, header = args[1], args[2], args[3], args[4]
  local total = tonumber(os.getenv("WRK_THREADS") or "1")
  local me = tonumber(index or 0)
  requests = {}
  local line_no = 0
  for line in io.lines(file) do
    if line_no % total == me then
      local tab = string.find(line, "\t", 1, true)
      local value, body = string.sub(line, 1, tab - 1), string.sub(line, tab + 1)
      local headers = { ["Content-Type"] = "application/json" }
      headers[header] = value
      if body == "" then body = nil end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
    line_no = line_no + 1
  end
  position = 0
  wrapped = 0
end

function request()
  position = position + 1
  if position > #requests then
    position = 1
    wrapped = wrapped + 1
  end
  return requests[position]
end

local spacing = tonumber(os.getenv("WRK_SPACING_MS") or "0")
if spacing > 0 then
  function delay()
    return spacing * (0.5 + math.random())
  end
end

function done(summary, latency, requests_unused)
  local wraps = 0
  for _, thread in ipairs(threads) do
    wraps = wraps + (tonumber(thread:get("wrapped")) or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '\nWRK_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, wraps))
end
