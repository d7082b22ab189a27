-- wrk script: POST a 20-line bid to /v1/footprints; count non-200 answers.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local acts = {
  {"fuel.natural_gas", "US", "1000", "mmBtu"},
  {"electricity.grid", "US-CAMX", "250", "MWh"},
  {"freight.road", "US", "5000", "short_ton.mi"},
  {"fuel.diesel", "US", "1200", "gal"},
}
local lines = {}
for i = 1, 20 do
  local a = acts[(i - 1) % #acts + 1]
  local q = tostring(tonumber(a[3]) + i)
  lines[#lines + 1] = string.format('{"id":"%d","activity":"%s","region":"%s","quantity":"%s","unit":"%s"}', i, a[1], a[2], q, a[4])
end
wrk.body = '{"method":"us-federal@2025.1","reference":"BENCH-1","supplier":"Bench Ltd","lines":[' .. table.concat(lines, ",") .. ']}'

local bad = 0
response = function(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad == 1 then io.stderr:write("first non-200 answer: " .. status .. " " .. body .. "\n") end
  end
end

done = function(summary, latency, requests)
  local errs = summary.errors
  local sockerr = errs.connect + errs.read + errs.write + errs.timeout
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50: %.2f ms  p99: %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("errors: %d (non-2xx/3xx: %d, socket: %d)\n", errs.status + sockerr, errs.status, sockerr))
end
