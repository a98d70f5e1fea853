-- resty.fapi — fapi for OpenResty / lua-nginx-module through the LuaJIT FFI.
--
-- Loads libfapi.so with `ffi.cdef` of include/fapi_cdef.h (generated from fapi.h). The verifier
-- region is mmap(MAP_SHARED | MAP_ANONYMOUS) memory made in `init_by_lua*` (the master process):
-- the workers fork with it mapped, so they all share one replay table and one token cache. Each
-- worker has its own fapi context (`init_worker`).
--
--   init_by_lua_block {
--       local fapi = require "resty.fapi"
--       fapi.load{ lib = "/usr/local/lib/libfapi.so", cdef = "/usr/local/include/fapi_cdef.h" }
--       api = assert(fapi.new{
--           issuer = "https://as.example.com", audience = "https://rs.example.com",
--           bases = { "https://api.example.com" }, token_algs = { "ES256", "EdDSA" },
--           jwks_file = "/etc/nginx/jwks.json", jwks_refresh = 30,
--       })
--   }
--   init_worker_by_lua_block { assert(api:init_worker()) }
--   location /accounts/ { access_by_lua_block { api:access{ scopes = { "accounts" } } } }
--
-- Decisions, challenges and codes are fapi's; this file only moves bytes between nginx and
-- fapi. A reload (HUP) runs init_by_lua again and so starts a new region: the replay table does
-- not survive a reload here (the C module keeps it).

local ffi = require "ffi"
local bit = require "bit"

local ngx = ngx
local C = ffi.C
local ffi_new, ffi_string, ffi_cast = ffi.new, ffi.string, ffi.cast

local _M = { _VERSION = "0.1.0" }
local lib

local ALGS = { ES256 = 1, EdDSA = 2, Ed25519 = 4, PS256 = 8, RS256 = 16 }
local MODES = { off = 0, optional = 1, required = 2 }
local UNBOUND = { default = 0, deny = 1, allow = 2 }
local CERT_FORMATS = { rfc9440 = 4, escaped_pem = 3, pem = 2 }

local function read_file(path)
    local f, err = io.open(path, "rb")
    if not f then return nil, err end
    local s = f:read("*a")
    f:close()
    return s
end

--- Loads libfapi and its declarations once per process. `opts.lib`: a path or a name for
--- ffi.load (default "fapi"); `opts.cdef`: the path of fapi_cdef.h (default
--- /usr/local/include/fapi_cdef.h, where `make install` puts it).
function _M.load(opts)
    if lib then return lib end
    opts = opts or {}
    local cdef, err = read_file(opts.cdef or "/usr/local/include/fapi_cdef.h")
    if not cdef then error("resty.fapi: cannot read fapi_cdef.h: " .. tostring(err)) end
    ffi.cdef(cdef)
    ffi.cdef [[
        void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset);
    ]]
    lib = ffi.load(opts.lib or "fapi")
    return lib
end

function _M.result_str(code)
    return ffi_string(lib.fapi_result_str(code))
end

local function algs_bits(list, what)
    local bits = 0
    for _, a in ipairs(list or {}) do
        local b = ALGS[a]
        if not b then return nil, "unknown " .. what .. " algorithm " .. tostring(a) end
        bits = bit.bor(bits, b)
    end
    return bits
end

local function fstr(s)
    return { ffi_cast("const uint8_t *", s), #s }
end

-- IPv4 "a.b.c.d" or "a.b.c.d/n" -> matcher; IPv6 only as exact text.
local function parse_proxies(list)
    local out = {}
    for _, p in ipairs(list or {}) do
        local a, b, c, d, n = p:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)/?(%d*)$")
        if a then
            local ip = ((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d)
            local bits = n ~= "" and tonumber(n) or 32
            out[#out + 1] = { v4 = true, net = math.floor(ip / 2 ^ (32 - bits)), shift = 2 ^ (32 - bits) }
        else
            out[#out + 1] = { text = p }
        end
    end
    return out
end

local function from_proxy(proxies, addr)
    if not addr then return false end
    local a, b, c, d = addr:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    local ip = a and (((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d))
    for _, p in ipairs(proxies) do
        if p.v4 and ip and math.floor(ip / p.shift) == p.net then return true end
        if p.text == addr then return true end
    end
    return false
end

local verifier = {}
verifier.__index = verifier

--- Makes a verifier in shared memory (call in init_by_lua*). Settings as fapi_config (see
--- README "Lua"). Returns the verifier object, or nil and an error message.
function _M.new(conf)
    if not lib then return nil, "resty.fapi: call load() first" end
    local self = setmetatable({ conf = conf, keep = {} }, verifier)
    local cfg = ffi_new("fapi_config")
    cfg.struct_size = ffi.sizeof("fapi_config")
    cfg.version = lib.FAPI_STRUCT_VERSION
    local function keep(s) self.keep[#self.keep + 1] = s; return s end
    if type(conf.issuer) ~= "string" or type(conf.audience) ~= "string" then
        return nil, "issuer and audience are required"
    end
    cfg.issuer = fstr(keep(conf.issuer))
    cfg.audience = fstr(keep(conf.audience))
    local bases = conf.bases or {}
    if #bases == 0 then return nil, "bases: at least one public base is required" end
    local cb = ffi_new("fapi_str[?]", #bases)
    self.keep[#self.keep + 1] = cb
    for i, b in ipairs(bases) do
        cb[i - 1].ptr = ffi_cast("const uint8_t *", keep(b))
        cb[i - 1].len = #b
    end
    cfg.bases = cb
    cfg.base_count = #bases
    local err
    cfg.token_algs, err = algs_bits(conf.token_algs, "token")
    if not cfg.token_algs then return nil, err end
    cfg.proof_algs, err = algs_bits(conf.proof_algs, "proof")
    if not cfg.proof_algs then return nil, err end
    cfg.leeway = conf.leeway or 10
    cfg.proof_max_age = conf.proof_max_age or 300
    cfg.dpop_mode = MODES[conf.dpop or "optional"] or error("dpop: off, optional or required")
    cfg.mtls_mode = MODES[conf.mtls or "optional"] or error("mtls: off, optional or required")
    cfg.unbound = UNBOUND[conf.unbound or "default"] or error("unbound: default, deny or allow")
    cfg.nonce_required = conf.nonce and 1 or 0
    cfg.nonce_slot = conf.nonce_slot or 60
    cfg.fapi2_profile = conf.fapi2 and 1 or 0
    cfg.accept_plain_jwt_typ = conf.accept_plain_jwt_typ and 1 or 0
    cfg.max_keys = conf.max_keys or 8
    cfg.replay_slots = conf.replay_slots or 65536
    cfg.cache_slots = conf.cache_slots or 1024
    -- ES256 tables (fapi_config.es256_*): "off" (default), "gateway" (FAPI_ES256_GATEWAY_*), or
    -- { base = 8, issuer = 6, hot = 6, hot_keys = 16, builds_per_second = 50 } (widths in bits).
    local t = conf.es256_tables or "off"
    if t == "gateway" then
        t = { base = lib.FAPI_ES256_GATEWAY_BASE_BITS, issuer = lib.FAPI_ES256_GATEWAY_ISSUER_BITS,
              hot = lib.FAPI_ES256_GATEWAY_HOT_BITS, hot_keys = lib.FAPI_ES256_GATEWAY_HOT_KEYS,
              builds_per_second = lib.FAPI_ES256_GATEWAY_BUILDS_PER_SECOND }
    elseif t == "off" then
        t = {}
    elseif type(t) ~= "table" then
        return nil, 'es256_tables: "off", "gateway" or { base, issuer, hot, hot_keys, builds_per_second }'
    end
    cfg.es256_base_bits = t.base or 0
    cfg.es256_issuer_bits = t.issuer or 0
    cfg.es256_hot_bits = t.hot or 0
    cfg.es256_hot_keys = t.hot_keys or 0
    cfg.es256_builds_per_second = t.builds_per_second or 0
    local f = assert(io.open("/dev/urandom", "rb"))
    local secret = f:read(32)
    f:close()
    ffi.copy(cfg.replay_secret, secret, 32)

    local size = lib.fapi_verifier_size(cfg)
    if size == 0 then
        -- fapi_verifier_init checks the configuration before the length: its code names the rule.
        local probe = ffi_new("uint64_t[1]")
        local rc0 = lib.fapi_verifier_init(probe, 8, cfg, ffi_new("fapi_verifier *[1]"))
        return nil, "configuration refused (sizes or es256_tables): " .. _M.result_str(rc0)
    end
    -- PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS (Linux)
    local mem = C.mmap(nil, size, 3, 0x21, -1, 0)
    if mem == ffi_cast("void *", -1) then return nil, "mmap failed" end
    local out = ffi_new("fapi_verifier *[1]")
    local rc = lib.fapi_verifier_init(mem, size, cfg, out)
    ffi.fill(cfg.replay_secret, 32)
    if rc ~= 0 then return nil, "fapi_verifier_init: " .. _M.result_str(rc) end
    self.mem, self.size, self.v = mem, size, out[0]
    self.cfg = cfg
    local ok, e = self:load_jwks()
    if not ok then return nil, e end
    if conf.nonce_secret_file then
        local s, e2 = read_file(conf.nonce_secret_file)
        if not s then return nil, "nonce_secret_file: " .. tostring(e2) end
        rc = lib.fapi_verifier_set_nonce_secret(self.v, s, #s, os.time())
        if rc ~= 0 then return nil, "nonce secret: " .. _M.result_str(rc) end
    elseif conf.nonce then
        return nil, "nonce = true needs nonce_secret_file"
    end
    self.proxies = parse_proxies(conf.trusted_proxies)
    return self
end

--- (Re)installs the key set from `conf.jwks_file` when its content changed. Atomic in fapi:
--- requests in flight see the old set or the new one.
function verifier:load_jwks()
    local doc, err = read_file(self.conf.jwks_file)
    if not doc then return nil, "jwks_file: " .. tostring(err) end
    if doc == self.jwks_doc then return true end
    local loaded, skipped = ffi_new("uint32_t[1]"), ffi_new("uint32_t[1]")
    local rc = lib.fapi_verifier_set_jwks(self.v, doc, #doc, loaded, skipped)
    if rc ~= 0 then return nil, "JWKS refused: " .. _M.result_str(rc) end
    self.jwks_doc = doc
    return true, loaded[0], skipped[0]
end

--- Per worker (init_worker_by_lua*): attaches the shared region and makes this worker's context;
--- worker 0 re-reads the JWKS file every `conf.jwks_refresh` seconds.
function verifier:init_worker()
    local out = ffi_new("fapi_verifier *[1]")
    local rc = lib.fapi_verifier_attach(self.mem, self.size, out)
    if rc ~= 0 then return nil, "fapi_verifier_attach: " .. _M.result_str(rc) end
    self.v = out[0]
    local n = tonumber(lib.fapi_ctx_size(self.cfg))
    self.ctx_mem = ffi_new("uint64_t[?]", math.floor(n / 8) + 1) -- 8-byte aligned
    local cout = ffi_new("fapi_ctx *[1]")
    rc = lib.fapi_ctx_init(self.ctx_mem, n, cout)
    if rc ~= 0 then return nil, "fapi_ctx_init: " .. _M.result_str(rc) end
    self.ctx = cout[0]
    self.req = ffi_new("fapi_request")
    self.auth = ffi_new("fapi_str[8]")
    self.dpop = ffi_new("fapi_str[8]")
    self.ptr = ffi_new("const uint8_t *[1]")
    self.len = ffi_new("size_t[1]")
    self.u32 = ffi_new("uint32_t[2]")
    self.u64 = ffi_new("uint64_t[1]")
    self.claim_buf = ffi_new("uint8_t[?]", lib.FAPI_MAX_CLAIM_LEN)
    local every = self.conf.jwks_refresh
    if every and every > 0 and ngx.worker.id() == 0 then
        ngx.timer.every(every, function(premature)
            if premature then return end
            local ok, e = self:load_jwks()
            if not ok then ngx.log(ngx.ERR, "resty.fapi: ", e, ": the old key set stays") end
        end)
    end
    return true
end

local function ctx_str(self, fn)
    if fn(self.ctx, self.ptr, self.len) ~= 0 then return nil end
    return ffi_string(self.ptr[0], self.len[0])
end

--- A claim of the last allow as a string (JSON text for non-strings), or nil.
function verifier:claim(name)
    local rc = lib.fapi_ctx_claim_str(self.ctx, name, #name, self.claim_buf, lib.FAPI_MAX_CLAIM_LEN, self.len)
    if rc == 0 then return ffi_string(self.claim_buf, self.len[0]) end
    if rc == lib.FAPI_ERR_CLAIMS_CLAIM_TYPE and
        lib.fapi_ctx_claim_json(self.ctx, name, #name, self.ptr, self.len) == 0 then
        return ffi_string(self.ptr[0], self.len[0])
    end
    return nil
end

local function fill(arr, v, n)
    if type(v) == "string" then v = { v } end
    for _, s in ipairs(v or {}) do
        if n >= 8 then break end -- fapi refuses two already
        arr[n].ptr = ffi_cast("const uint8_t *", s)
        arr[n].len = #s
        n = n + 1
    end
    return n
end

local BINDINGS = { [0] = "none", "dpop", "mtls", "dpop+mtls" }

--- Decides the current request (access_by_lua*). `opts`: base (index into bases, default 0),
--- scopes (required scopes), claim_headers ({ claim = "Header-Name" }: set on the request to
--- the upstream, or cleared when the claim is absent), cert_header + cert_header_format
--- ("rfc9440" or "escaped_pem", taken only from trusted_proxies given to new()),
--- replay_store (function(key, expiry) -> "fresh" | "seen" | "error", for replay_slots = 0).
--- Denies with ngx.exit(status); on allow returns the claims accessor's verifier and sets
--- ngx.ctx.fapi = { result, binding }.
function verifier:access(opts)
    opts = opts or {}
    local req = self.req
    local headers, herr = ngx.req.get_headers(100)
    if herr == "truncated" then
        ngx.ctx.fapi = { result = "too_many_header_fields" }
        return ngx.exit(400) -- a hidden second Authorization must not slip past
    end
    local method = ngx.req.get_method()
    local target = ngx.var.request_uri
    local na = fill(self.auth, headers["authorization"], 0)
    local nd = fill(self.dpop, headers["dpop"], 0)
    req.struct_size = ffi.sizeof("fapi_request")
    req.version = lib.FAPI_STRUCT_VERSION
    req.method.ptr, req.method.len = ffi_cast("const uint8_t *", method), #method
    req.target.ptr, req.target.len = ffi_cast("const uint8_t *", target), #target
    req.base = opts.base or 0
    req.authorization_count, req.authorization = na, self.auth
    req.dpop_count, req.dpop = nd, self.dpop
    local scopes = opts.scopes or {}
    local sc = ffi_new("fapi_str[?]", #scopes + 1)
    for i, s in ipairs(scopes) do
        sc[i - 1].ptr = ffi_cast("const uint8_t *", s)
        sc[i - 1].len = #s
    end
    req.required_scope_count, req.required_scopes = #scopes, sc
    req.introspection.ptr, req.introspection.len = nil, 0
    req.now = ngx.time()

    local cert, enc, source
    if opts.cert_header and from_proxy(self.proxies, ngx.var.remote_addr) then
        local v = headers[opts.cert_header:lower()]
        if type(v) == "table" then
            ngx.ctx.fapi = { result = "mtls_cert_malformed" }
            return ngx.exit(400)
        end
        if v and #v > 0 then
            cert, enc, source = v, CERT_FORMATS[opts.cert_header_format or "rfc9440"], 1
        end
    else
        local pem = ngx.var.ssl_client_raw_cert
        if pem and #pem > 0 then cert, enc, source = pem, 2, 0 end
    end
    if cert then
        req.cert_encoding, req.cert_source = enc, source
        req.client_cert.ptr, req.client_cert.len = ffi_cast("const uint8_t *", cert), #cert
    else
        req.cert_encoding, req.cert_source = 0, 0
        req.client_cert.ptr, req.client_cert.len = nil, 0
    end

    local rc = lib.fapi_check_request(self.v, self.ctx, req)
    if rc == 0 and lib.fapi_ctx_verdict(self.ctx) == lib.FAPI_VERDICT_NEEDS_REPLAY_CHECK then
        local outcome = 2 -- FAPI_REPLAY_STORE_ERROR: fail closed without a store
        local store = opts.replay_store
        if store and lib.fapi_ctx_replay_check(self.ctx, self.ptr, self.len, self.u64) == 0 then
            local ans = store(ffi_string(self.ptr[0], self.len[0]), tonumber(self.u64[0]))
            outcome = ans == "fresh" and 0 or ans == "seen" and 1 or 2
        end
        rc = lib.fapi_complete_replay(self.v, self.ctx, outcome)
    end
    -- keep the Lua strings referenced by `req` alive until here
    local _ = { headers, method, target, cert, scopes, sc }
    if rc ~= 0 then
        ngx.log(ngx.ERR, "resty.fapi: fapi_check_request: ", _M.result_str(rc))
        ngx.ctx.fapi = { result = _M.result_str(rc) }
        return ngx.exit(500)
    end
    local verdict = lib.fapi_ctx_verdict(self.ctx)
    local nonce = ctx_str(self, lib.fapi_ctx_dpop_nonce)
    if nonce then
        ngx.header["DPoP-Nonce"] = nonce
        ngx.header["Cache-Control"] = "no-store"
    end
    if verdict == lib.FAPI_VERDICT_ALLOW then
        lib.fapi_ctx_binding(self.ctx, self.u32, self.u32 + 1, nil, nil)
        ngx.ctx.fapi = { result = "ok", binding = BINDINGS[self.u32[0]], cache_hit = self.u32[1] == 1 }
        for claim, hname in pairs(opts.claim_headers or {}) do
            local v = self:claim(claim)
            if v and not v:find("[%z\1-\31\127]") then
                ngx.req.set_header(hname, v) -- replaces any value the client sent
            else
                ngx.req.clear_header(hname)
            end
        end
        return self
    end
    local status = tonumber(lib.fapi_ctx_http_status(self.ctx))
    if verdict ~= lib.FAPI_VERDICT_DENY or status < 400 then status = 500 end
    local www = ctx_str(self, lib.fapi_ctx_www_authenticate)
    if www and #www > 0 then ngx.header["WWW-Authenticate"] = www end
    local name = _M.result_str(lib.fapi_ctx_result(self.ctx))
    ngx.ctx.fapi = { result = name }
    -- No ngx.log here: its context line holds the request line, whose query may carry a token
    -- (request_token_in_query). Log ngx.ctx.fapi.result from log_by_lua* instead.
    return ngx.exit(status)
end

--- The ES256 tables' hot-key counters: tables built, builds refused by the rate limit (nil and
--- a message when the verifier has no tables).
function verifier:table_stats()
    local c = ffi_new("uint32_t[2]")
    local rc = lib.fapi_verifier_table_stats(self.v, c, c + 1)
    if rc ~= 0 then return nil, _M.result_str(rc) end
    return c[0], c[1]
end

--- The replay table's fail-closed counters: full, busy, replays.
function verifier:replay_counters()
    local c = ffi_new("uint32_t[3]")
    lib.fapi_verifier_replay_counters(self.v, c, c + 1, c + 2)
    return c[0], c[1], c[2]
end

return _M
