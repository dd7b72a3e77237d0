#include "router/state/scripts.h"

#include "absl/strings/str_cat.h"

namespace wissel::state::scripts {

std::string WithPrelude(absl::string_view script) {
  // The script becomes the body of a function, so that its event is appended only when it
  // applied (whichever of its returns it took).
  return absl::StrCat(kPrelude, "local function apply_effect()\n", script, R"lua(
end
local result = apply_effect()
if result[1] == 'ok' and #event > 0 then
  table.insert(more_events, 1, event)
  local f = {}
  if event_from_contact == '1' then f = redis.call('HMGET', KEYS[1], 'queue', 'channel', 'topic') end
  local names = {'queue', 'channel', 'topic'}
  for _, e in ipairs(more_events) do
    for i = 1, 3 do
      if f[i] then
        e[#e + 1] = names[i]
        e[#e + 1] = f[i]
      end
    end
    audit(event_key, event_retention, event_ttl, e)
  end
end
return result
)lua");
}

const char kPrelude[] = R"lua(
-- Fencing: the caller appended the tenant's owner key and its lease to KEYS and ARGV. Take them
-- off first, so the script below sees its own arguments, and refuse a router whose lease is gone.
local fence_key, fence = KEYS[#KEYS], ARGV[#ARGV]
KEYS[#KEYS] = nil
ARGV[#ARGV] = nil
if fence ~= '' then
  local holder = redis.call('GET', fence_key)
  if holder ~= fence then return {'fenced', holder or ''} end
end
-- The event (event_codec.h): the caller appended the tenant's event stream to KEYS and, to ARGV,
-- the stream's retention (ms) and TTL (s), "1" when the contact's queue, channel and topic are to
-- be copied from KEYS[1] into it, its n field and value strings, and n (0: no event). Taken off
-- here too; WithPrelude appends the event once the script applied.
local event_key = KEYS[#KEYS]
KEYS[#KEYS] = nil
local event_n = tonumber(ARGV[#ARGV])
ARGV[#ARGV] = nil
local event = {}
for i = event_n, 1, -1 do
  event[i] = ARGV[#ARGV]
  ARGV[#ARGV] = nil
end
local event_from_contact = ARGV[#ARGV]
ARGV[#ARGV] = nil
local event_ttl = ARGV[#ARGV]
ARGV[#ARGV] = nil
local event_retention = ARGV[#ARGV]
ARGV[#ARGV] = nil
-- More events a script may add (field lists), appended after its own when it applied.
local more_events = {}
local function refuse(why) return {'precondition', why} end
local function touch(from, to, ttl)
  for i = from, to do redis.call('EXPIRE', KEYS[i], ttl) end
end
-- The contact's keys, its resident index keys, and for a hash written before contact ids were
-- derived from idempotency keys, its idempotency key. Index keys (w:{T}:p:<pseudonym>) come from
-- the hash's party and case_ref fields when they are pseudonyms (64 lower-case hex digits); their
-- TTL is only raised (GT), since other contacts of the resident may live longer. Such a hash holds
-- the key's digest in 'idem_key' (22 characters of URL-safe base64, or 64 hex digits for the name
-- w:{T}:idem:<hex>), and the key's name is built from it under the contact key's own prefix, so
-- it always carries the tenant's hash tag (same cluster slot); the oldest hold the whole name,
-- used only when it has the tenant's prefix. Anything else is ignored; a new hash has no
-- idem_key.
local function is_pseudonym(v)
  return v and #v == 64 and string.match(v, '^[0-9a-f]+$') ~= nil
end
local function touch_contact(ttl)
  touch(1, 3, ttl)
  local prefix = string.match(KEYS[1], '^(w:{[^}]*}:)c:')
  if not prefix then return end
  local f = redis.call('HMGET', KEYS[1], 'idem_key', 'party', 'case_ref')
  for i = 2, 3 do
    if is_pseudonym(f[i]) then redis.call('EXPIRE', prefix .. 'p:' .. f[i], ttl, 'GT') end
  end
  local idem = f[1]
  if not idem then return end
  if #idem == 22 and string.match(idem, '^[%w_-]+$') then
    redis.call('EXPIRE', prefix .. 'i:' .. idem, ttl)
  elseif #idem == 64 and string.match(idem, '^%x+$') then
    redis.call('EXPIRE', prefix .. 'idem:' .. idem, ttl)
  elseif string.sub(idem, 1, #prefix + 5) == prefix .. 'idem:' then
    redis.call('EXPIRE', idem, ttl)
  end
end
-- Appends an entry (flat field value list) to the audit stream `key`: trims entries older than
-- retention_ms by the server's clock (MINID, approximate: whole stream nodes), and lets the
-- stream expire ttl seconds after its last entry.
local function audit(key, retention_ms, ttl, fields)
  local t = redis.call('TIME')
  local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local minid = math.max(0, now_ms - tonumber(retention_ms))
  redis.call('XADD', key, 'MINID', '~', string.format('%d', minid), '*', unpack(fields))
  redis.call('EXPIRE', key, ttl)
end
local function check_contact(cid, state, handler)
  local c = redis.call('HMGET', KEYS[1], 'state', 'handler', 'channel', 'declined')
  if not c[1] then return nil, refuse('contact ' .. cid .. ' does not exist') end
  local held_by = c[2] or ''
  if c[1] ~= state or (handler ~= nil and held_by ~= handler) then
    local what = 'contact ' .. cid .. ' is ' .. c[1]
    if held_by ~= '' then what = what .. ' to ' .. held_by end
    local want = state
    if handler ~= nil and handler ~= '' then want = want .. ' to ' .. handler end
    return nil, refuse(what .. ', expected ' .. want)
  end
  return c, nil
end
)lua";

const char kContactCreated[] = R"lua(
local ttl, n = ARGV[1], tonumber(ARGV[6])
local keyed = #KEYS >= 5 + n
if keyed then
  local existing = redis.call('MGET', KEYS[4 + n], KEYS[5 + n])
  if existing[1] or existing[2] then return {'exists', existing[1] or existing[2], ''} end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  -- With a key, the id was derived from it (request_validation.h): a retry.
  if keyed then return {'exists', ARGV[2], redis.call('HGET', KEYS[1], 'state') or ''} end
  return refuse('contact ' .. ARGV[2] .. ' already exists')
end
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('EXPIRE', KEYS[1], ttl)
-- The first history entry is normally the hash's field h0; the list is made by the first
-- change (or here, for an entry too long for h0).
if ARGV[5] ~= '' then
  redis.call('DEL', KEYS[2])
  redis.call('RPUSH', KEYS[2], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ttl)
end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
  redis.call('EXPIRE', KEYS[3], ttl)
end
-- The resident index: raised to the contact's TTL, never lowered (a key without TTL gets it).
for i = 1, n do
  redis.call('SADD', KEYS[3 + i], ARGV[2])
  if redis.call('TTL', KEYS[3 + i]) < tonumber(ttl) then redis.call('EXPIRE', KEYS[3 + i], ttl) end
end
return {'ok', ''}
)lua";

const char kContactOffered[] = R"lua(
local cid, hid, channel = ARGV[3], ARGV[4], ARGV[8]
local c, refused = check_contact(cid, ARGV[5], nil)
if not c then return refused end
if c[3] ~= channel then
  return refuse('contact ' .. cid .. ' is on channel ' .. tostring(c[3]) .. ', not ' .. channel)
end
local h = redis.call('HMGET', KEYS[4], 'presence', 'capacity')
if not h[1] then return refuse('handler ' .. hid .. ' is not signed in') end
if h[1] ~= ARGV[7] then return refuse('handler ' .. hid .. ' is ' .. h[1]) end
local capacity, i, want = 0, 0, tonumber(ARGV[9])
for v in string.gmatch(h[2] or '', '[^,]+') do
  i = i + 1
  if i == want then capacity = tonumber(v) or 0 end
end
local load_on_channel = 0
local held = redis.call('HVALS', KEYS[5])
for j = 1, #held do
  if string.match(held[j], '^[^|]*') == channel then load_on_channel = load_on_channel + 1 end
end
if load_on_channel >= capacity then
  return refuse('handler ' .. hid .. ' has no free capacity on ' .. channel .. ' (' ..
                load_on_channel .. ' of ' .. capacity .. ')')
end
redis.call('HSET', KEYS[1], 'state', ARGV[6], 'handler', hid, 'offer_deadline', ARGV[10])
redis.call('HSET', KEYS[5], cid, channel .. '|' .. ARGV[11] .. '|' .. ARGV[12])
redis.call('HSET', KEYS[4], 'last_offer_at', ARGV[13])
redis.call('RPUSH', KEYS[2], ARGV[14])
touch_contact(ARGV[1])
touch(4, 6, ARGV[2])
return {'ok', ''}
)lua";

const char kOfferWithdrawn[] = R"lua(
local cid, hid = ARGV[3], ARGV[4]
local c, refused = check_contact(cid, ARGV[5], hid)
if not c then return refused end
local fields = {'state', ARGV[6], 'handler', '', 'offer_deadline', ARGV[7]}
if ARGV[8] == '1' then
  local declined = c[4] or ''
  local seen = false
  for v in string.gmatch(declined, '[^,]+') do
    if v == hid then seen = true end
  end
  if not seen then
    if declined == '' then declined = hid else declined = declined .. ',' .. hid end
    fields[#fields + 1] = 'declined'
    fields[#fields + 1] = declined
  end
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('HDEL', KEYS[5], cid)
redis.call('RPUSH', KEYS[2], ARGV[9])
touch_contact(ARGV[1])
touch(4, 6, ARGV[2])
return {'ok', ''}
)lua";

const char kOfferAccepted[] = R"lua(
local cid, hid = ARGV[3], ARGV[4]
local c, refused = check_contact(cid, ARGV[5], hid)
if not c then return refused end
redis.call('HSET', KEYS[1], 'state', ARGV[6], 'offer_deadline', ARGV[7])
redis.call('HSET', KEYS[5], cid, tostring(c[3]) .. '|' .. ARGV[8] .. '|' .. ARGV[9])
redis.call('RPUSH', KEYS[2], ARGV[10])
touch_contact(ARGV[1])
touch(4, 6, ARGV[2])
return {'ok', ''}
)lua";

const char kContactCompleted[] = R"lua(
local cid, hid = ARGV[3], ARGV[4]
local c, refused = check_contact(cid, ARGV[5], hid)
if not c then return refused end
redis.call('HSET', KEYS[1], 'state', ARGV[6], 'handler', '')
redis.call('ZREM', KEYS[3], cid)
redis.call('HSET', KEYS[5], cid, tostring(c[3]) .. '|' .. ARGV[7] .. '|' .. ARGV[8])
redis.call('RPUSH', KEYS[2], ARGV[9])
touch_contact(ARGV[1])
touch(4, 6, ARGV[2])
-- A satisfaction survey, unless the resident had one within the quiet period (ARGV[10] s; 0:
-- the contact was not sampled). A contact without a party pseudonym cannot be told apart from
-- others: its survey is triggered without the check.
local quiet = tonumber(ARGV[10])
if quiet > 0 then
  local party = redis.call('HGET', KEYS[1], 'party')
  local prefix = string.match(KEYS[1], '^(w:{[^}]*}:)c:')
  local due = true
  if prefix and is_pseudonym(party) then
    due = redis.call('SET', prefix .. 'kto:' .. party, '1', 'NX', 'EX', quiet) ~= false
  end
  if due then
    more_events[#more_events + 1] = {'type', 'survey_triggered', 'time', ARGV[11], 'contact', cid,
                                     'handler', hid}
  end
end
return {'ok', ''}
)lua";

const char kWrapUpFinished[] = R"lua(
local cid, hid = ARGV[3], ARGV[4]
local v = redis.call('HGET', KEYS[5], cid)
if not v then return refuse('handler ' .. hid .. ' does not hold contact ' .. cid) end
local hold = string.match(v, '^[^|]*|([^|]*)')
if hold ~= ARGV[5] then
  return refuse('handler ' .. hid .. ' holds contact ' .. cid .. ' as ' .. tostring(hold) ..
                ', not ' .. ARGV[5])
end
redis.call('HDEL', KEYS[5], cid)
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[6])
  touch_contact(ARGV[1])
end
touch(4, 6, ARGV[2])
return {'ok', ''}
)lua";

const char kContactAbandoned[] = R"lua(
local cid, hid = ARGV[3], ARGV[4]
local c, refused = check_contact(cid, ARGV[5], hid)
if not c then return refused end
redis.call('HSET', KEYS[1], 'state', ARGV[6], 'handler', '', 'offer_deadline', ARGV[7])
redis.call('ZREM', KEYS[3], cid)
redis.call('RPUSH', KEYS[2], ARGV[8])
touch_contact(ARGV[1])
if #KEYS >= 6 then
  redis.call('HDEL', KEYS[5], cid)
  touch(4, 6, ARGV[2])
end
return {'ok', ''}
)lua";

const char kContactTransferred[] = R"lua(
local cid, hid = ARGV[3], ARGV[4]
local c, refused = check_contact(cid, ARGV[5], hid)
if not c then return refused end
redis.call('HSET', KEYS[1], 'state', ARGV[6], 'handler', '', 'offer_deadline', ARGV[7],
           'queue', ARGV[8], 'enqueued_at', ARGV[9], 'declined', '')
redis.call('ZADD', KEYS[3], ARGV[9], cid)
redis.call('HDEL', KEYS[5], cid)
redis.call('RPUSH', KEYS[2], ARGV[10])
touch_contact(ARGV[1])
touch(4, 6, ARGV[2])
return {'ok', ''}
)lua";

const char kContactUpdated[] = R"lua(
local cid = ARGV[3]
local c, refused = check_contact(cid, ARGV[5], nil)
if not c then return refused end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('ZADD', KEYS[3], ARGV[6], cid)
redis.call('RPUSH', KEYS[2], ARGV[7])
touch_contact(ARGV[1])
return {'ok', ''}
)lua";

const char kContactPersonSet[] = R"lua(
local ttl = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[6])
if KEYS[3] then
  redis.call('DEL', KEYS[3])
  redis.call('ZREM', KEYS[2], ARGV[7])
end
if ttl <= 0 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
  return {'ok', ''}
end
redis.call('SET', KEYS[1], ARGV[4], 'EX', ttl)
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[3])
local want = math.max(ttl, tonumber(ARGV[2]))
if redis.call('TTL', KEYS[2]) < want then redis.call('EXPIRE', KEYS[2], want) end
return {'ok', ''}
)lua";

const char kResidentErased[] = R"lua(
local n = tonumber(ARGV[6])
local prefix = string.match(KEYS[1], '^(w:{[^}]*}:)live$')
if not prefix then return refuse('not a tenant key: ' .. KEYS[1]) end
local mine, live = {}, {}
for i = 1, n do mine[ARGV[6 + i]] = true end
for i = 3, 5 do live[ARGV[i]] = true end
-- Find first, then delete: nothing is deleted while a contact of the resident is live.
local doomed, seen, oldest = {}, {}, nil
for i = 1, n do
  local ids = redis.call('SMEMBERS', KEYS[3 + i])
  for j = 1, #ids do
    local cid = ids[j]
    if not seen[cid] and string.match(cid, '^[!-~]+$') and not string.match(cid, '[:,|{}]') then
      seen[cid] = true
      local c = redis.call('HMGET', prefix .. 'c:' .. cid, 'party', 'case_ref', 'state',
                           'idem_key', 'created_at')
      -- Only a contact that is still the resident's: an id may have been used again.
      if (c[1] and mine[c[1]]) or (c[2] and mine[c[2]]) then
        if c[3] and live[c[3]] then
          return refuse('contact ' .. cid .. ' of the resident is ' .. c[3])
        end
        doomed[#doomed + 1] = {cid, c[4]}
        local created = tonumber(c[5] or '')
        if created and (not oldest or created < oldest) then oldest = created end
      end
    end
  end
end
local contacts, mappings = 0, 0
-- Their events go too (event_codec.h): the stream from the oldest one's creation on (its events
-- cannot be older; less 5 minutes, for a router's clock ahead of Redis's, which stamps the
-- stream ids), in slices, each entry naming one of them removed. A contact without a creation
-- time makes the scan start at the stream's beginning.
if #doomed > 0 then
  local gone = {}
  for _, d in ipairs(doomed) do gone[d[1]] = true end
  local stream = prefix .. 'events'
  local from = '-'
  if oldest then from = string.format('%d', math.max(0, math.floor(oldest / 1000) - 300000)) end
  while true do
    local slice = redis.call('XRANGE', stream, from, '+', 'COUNT', 1000)
    for _, e in ipairs(slice) do
      local f = e[2]
      for k = 1, #f - 1, 2 do
        if f[k] == 'contact' then
          if gone[f[k + 1]] then redis.call('XDEL', stream, e[1]) end
          break
        end
      end
    end
    if #slice < 1000 then break end
    from = '(' .. slice[#slice][1]
  end
end
for _, d in ipairs(doomed) do
  local cid, idem = d[1], d[2]
  redis.call('DEL', prefix .. 'c:' .. cid, prefix .. 'c:' .. cid .. ':h')
  redis.call('ZREM', KEYS[1], cid)
  -- An idempotency key written by routers before contact ids were derived from keys.
  if idem then
    if #idem == 22 and string.match(idem, '^[%w_-]+$') then
      redis.call('DEL', prefix .. 'i:' .. idem)
    elseif #idem == 64 and string.match(idem, '^%x+$') then
      redis.call('DEL', prefix .. 'idem:' .. idem)
    elseif string.sub(idem, 1, #prefix + 5) == prefix .. 'idem:' then
      redis.call('DEL', idem)
    end
  end
  contacts = contacts + 1
end
for i = 1, n do
  -- Index members are "<pseudonym>:<domain>"; the pseudonym is hex, so the pattern is literal.
  local cursor = '0'
  repeat
    local r = redis.call('ZSCAN', KEYS[2], cursor, 'MATCH', ARGV[6 + i] .. ':*', 'COUNT', 1000)
    cursor = r[1]
    for j = 1, #r[2], 2 do
      mappings = mappings + redis.call('DEL', prefix .. 'cp:' .. r[2][j])
      redis.call('ZREM', KEYS[2], r[2][j])
    end
  until cursor == '0'
  redis.call('DEL', KEYS[3 + i])
  -- When they were last surveyed (kto:<pseudonym>, ContactCompleted).
  redis.call('DEL', prefix .. 'kto:' .. ARGV[6 + i])
end
local fields = {}
for i = 7 + n, #ARGV do fields[#fields + 1] = ARGV[i] end
fields[#fields + 1] = 'contacts'
fields[#fields + 1] = tostring(contacts)
fields[#fields + 1] = 'mappings'
fields[#fields + 1] = tostring(mappings)
audit(KEYS[3], ARGV[1], ARGV[2], fields)
return {'ok', contacts .. '|' .. mappings}
)lua";

const char kAuditAppend[] = R"lua(
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
audit(KEYS[1], ARGV[1], ARGV[2], fields)
return {'ok', ''}
)lua";

const char kHandlerChanged[] = R"lua(
local ttl, hid = ARGV[1], ARGV[2]
if ARGV[3] == '1' then
  local holds = redis.call('HLEN', KEYS[2])
  if holds > 0 then
    return refuse('handler ' .. hid .. ' still holds ' .. holds .. ' contact(s)')
  end
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('SREM', KEYS[3], hid)
  return {'ok', ''}
end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('SADD', KEYS[3], hid)
touch(1, 3, ttl)
return {'ok', ''}
)lua";

const char kClaimLease[] = R"lua(
local current = redis.call('GET', KEYS[1])
if ARGV[4] == 'release' then
  if current and string.match(current, '^%d+|([^|]*)|') == ARGV[2] then
    redis.call('DEL', KEYS[1])
  end
  return {'released', ''}
end
if current then
  local nonce, address = string.match(current, '^%d+|([^|]*)|(.*)$')
  if nonce == ARGV[2] then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    return {'held', current}
  end
  if address ~= ARGV[1] then return {'other', current} end
  -- Our own address with another nonce: the router that ran here before us, which cannot be
  -- running still (it held the port we now listen on). Take over at once.
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[5])
local lease = epoch .. '|' .. ARGV[2] .. '|' .. ARGV[1]
redis.call('SET', KEYS[1], lease, 'PX', ARGV[3])
return {'acquired', lease}
)lua";

}  // namespace wissel::state::scripts
