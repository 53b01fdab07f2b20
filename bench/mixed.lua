-- A day's mix of requests for wrk (issue "Every daily page fast"): 70% case pages and searches, 20% home queues and
-- lists, 10% writes (a contact-log entry on a case, as a coordinator adds one). Used by bench/run; loopback only.
-- Settings from the environment (bench/run sets them):
--   MIXED_SESSION  the mappa_session cookie of a signed-in coordinator
--   MIXED_CSRF     that session's form token
--   MIXED_CASES    case ids, comma-separated (case pages and the cases written to)
--   MIXED_SEARCHES search queries, URL-encoded, comma-separated
--   MIXED_LISTS    home queue and list paths, comma-separated
-- At the end prints "mixed: reads/s R writes/s W" (requests sent per second of the run, by kind).

local function split(text)
  local items = {}
  for item in string.gmatch(text or "", "[^,]+") do items[#items + 1] = item end
  return items
end

local session = os.getenv("MIXED_SESSION") or ""
local csrf = os.getenv("MIXED_CSRF") or ""
local cases = split(os.getenv("MIXED_CASES"))
local searches = split(os.getenv("MIXED_SEARCHES"))
local lists = split(os.getenv("MIXED_LISTS"))
local threads = {}
reads, writes = 0, 0  -- globals: done() reads each thread's through thread:get

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + (id or 0) * 7919)
end

local function pick(list) return list[math.random(#list)] end

local headers = { ["Cookie"] = "mappa_session=" .. session }
local form_headers = { ["Cookie"] = "mappa_session=" .. session, ["Content-Type"] = "application/x-www-form-urlencoded" }

function request()
  local roll = math.random(100)
  if roll <= 35 then
    reads = reads + 1
    return wrk.format("GET", "/cases/" .. pick(cases), headers)
  elseif roll <= 70 then
    reads = reads + 1
    return wrk.format("GET", "/nominals?q=" .. pick(searches), headers)
  elseif roll <= 90 then
    reads = reads + 1
    return wrk.format("GET", pick(lists), headers)
  end
  writes = writes + 1
  local day = os.date("!*t", os.time() - 86400)
  local body = "csrf_token=" .. csrf .. "&occurred_on-day=" .. day.day .. "&occurred_on-month=" .. day.month ..
      "&occurred_on-year=" .. day.year .. "&direction=out&agency=probation&person=Duty+officer&method=Phone" ..
      "&summary=Benchmark+contact+entry"
  return wrk.format("POST", "/cases/" .. pick(cases) .. "/contacts", form_headers, body)
end

function done(summary, latency, requests)
  local r, w = 0, 0
  for _, thread in ipairs(threads) do
    r = r + (thread:get("reads") or 0)
    w = w + (thread:get("writes") or 0)
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("mixed: reads/s %d writes/s %d\n", r / seconds, w / seconds))
end
