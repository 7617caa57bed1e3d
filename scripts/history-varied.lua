-- wrk script for scripts/load-history.sh: every request asks for a different 5-minute-aligned window (nothing to
-- share between requests), the worst case for memory. WRK_BASE_EPOCH (the window's end, UTC seconds), WRK_SECTIONS
-- (the &section=… list) come from the environment.
local base = tonumber(os.getenv("WRK_BASE_EPOCH"))
local sections = os.getenv("WRK_SECTIONS") or ""
math.randomseed(os.time())
request = function()
  local shift = math.random(0, 575) * 300
  local to = base - shift
  local from = to - 2 * 86400 + 300
  local path = "/api/impact/history?granularity=5m&from=" .. os.date("!%Y-%m-%dT%H:%M:00Z", from) ..
    "&to=" .. os.date("!%Y-%m-%dT%H:%M:00Z", to) .. sections
  return wrk.format("GET", path)
end
