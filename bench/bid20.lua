-- wrk script of bench/server.sh: POST the 20-line bid of bench/bid20.json
-- (or of $BID) to the URL given to wrk; count non-200 answers and answers
-- whose body differs from the first one (an endpoint that answers the same
-- bid must answer the same bytes).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local path = os.getenv("BID") or "bench/bid20.json"
local f = assert(io.open(path, "rb"))
wrk.body = f:read("*a"):gsub("%s+$", "")
f:close()

local bad, first, differ = 0, nil, 0
response = function(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad == 1 then io.stderr:write("first non-200 answer: " .. status .. " " .. body .. "\n") end
    return
  end
  if first == nil then
    first = body
  elseif body ~= first then
    differ = differ + 1
    if differ == 1 then io.stderr:write("differing body: an answer differs from the first answer to the same bid\n") end
  end
end

done = function(summary, latency, requests)
  local errs = summary.errors
  local sockerr = errs.connect + errs.read + errs.write + errs.timeout
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50: %.2f ms  p99: %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("errors: %d (non-2xx/3xx: %d, socket: %d)\n", errs.status + sockerr, errs.status, sockerr))
end
