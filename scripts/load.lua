-- scripts/load.lua - the request mix of `make load` for wrk. Arguments
-- (after "--"): bounce files to paste, then "ids=1,2,3" (FAQ article ids)
-- and "diag=ID" (a kept analysis to read back).
-- Mix: 30% diagnoses of real bounces (1 in 10 kept: a write), 25% FAQ
-- searches (API and page), 20% article pages, 25% API reads.
local bounces, ids, diag = {}, {}, nil
local words = { "quota", "spam", "550 5.1.1", "mailbox full", "spf",
	"dkim", "blacklist", "relay access denied", "0x800CCC0E", "greylist",
	"boite pleine", "utilisateur inconnu", "dmarc", "spamhaus" }
local counter = 0

local function urlencode(s)
	return (s:gsub("[^%w%-%._~]", function(c)
		return string.format("%%%02X", string.byte(c))
	end))
end

function init(args)
	for _, a in ipairs(args) do
		if a:sub(1, 4) == "ids=" then
			for n in a:sub(5):gmatch("%d+") do ids[#ids + 1] = n end
		elseif a:sub(1, 5) == "diag=" then
			diag = a:sub(6)
		else
			local f = io.open(a, "rb")
			if f then
				bounces[#bounces + 1] = f:read("*a")
				f:close()
			end
		end
	end
	if #ids == 0 then ids = { "1" } end
	math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
	local r = math.random(100)
	counter = counter + 1
	if r <= 30 and #bounces > 0 then
		local path = "/api/v1/diagnoses"
		if counter % 10 == 0 then path = path .. "?store=1" end
		return wrk.format("POST", path,
		    { ["Content-Type"] = "text/plain" },
		    bounces[math.random(#bounces)])
	elseif r <= 43 then
		return wrk.format("GET", "/api/v1/faq/search?q=" ..
		    urlencode(words[math.random(#words)]))
	elseif r <= 55 then
		return wrk.format("GET", "/faq?q=" ..
		    urlencode(words[math.random(#words)]))
	elseif r <= 75 then
		return wrk.format("GET", "/faq/" .. ids[math.random(#ids)])
	elseif r <= 88 then
		return wrk.format("GET", "/api/v1/faq/" ..
		    ids[math.random(#ids)])
	elseif r <= 95 and diag ~= nil then
		return wrk.format("GET", "/api/v1/diagnoses/" .. diag)
	else
		return wrk.format("GET", "/api/v1/faq/categories")
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format("requests    %d in %.1fs: %.0f req/s\n",
	    summary.requests, secs, summary.requests / secs))
	io.write(string.format("latency     p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
	    latency.max / 1000))
	io.write(string.format("errors      %d non-2xx/3xx, %d socket " ..
	    "(connect %d, read %d, write %d, timeout %d)\n", e.status,
	    e.connect + e.read + e.write + e.timeout, e.connect, e.read,
	    e.write, e.timeout))
end
