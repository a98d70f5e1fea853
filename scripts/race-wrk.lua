-- wrk script of scripts/race.sh: every request carries the same DPoP-bound access token and the
-- next pre-generated proof (each proof sent once). Counts every status that is not 200 and any
-- request made after the proofs ran out; `done` prints one line scripts/race.sh parses.
--
--   RACE_TOKEN=... RACE_PROOFS=file wrk -t1 -c16 -d10s -s scripts/race-wrk.lua URL

local token = os.getenv("RACE_TOKEN")
local proofs_file = os.getenv("RACE_PROOFS")
local proofs = {}
for line in io.lines(proofs_file) do
  proofs[#proofs + 1] = line
end
local next_proof = 0
non200 = 0
exhausted = 0
sent = 0

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function request()
  next_proof = next_proof + 1
  sent = next_proof
  local p = proofs[next_proof]
  if p == nil then
    exhausted = exhausted + 1
    p = "exhausted"
  end
  return wrk.format("GET", nil, { ["Authorization"] = "DPoP " .. token, ["DPoP"] = p })
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad, out, used = 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non200")
    out = out + t:get("exhausted")
    used = used + t:get("sent")
  end
  local e = summary.errors
  io.write(string.format(
    "RACE requests=%d duration_us=%d p50_us=%d p99_us=%d non200=%d exhausted=%d proofs_used=%d " ..
    "proofs=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad, out,
    used, #proofs, e.connect, e.read, e.write, e.timeout, e.status))
end
