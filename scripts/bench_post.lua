-- scripts/bench_post.lua - one POST for wrk, built once: the body is the
-- file named after "--", sent as text/plain to the path given second
-- (default /api/v1/diagnoses). Used by scripts/bench_http.sh.
local req

function init(args)
	local f = assert(io.open(args[1], "rb"))
	local body = f:read("*a")
	f:close()
	req = wrk.format("POST", args[2] or "/api/v1/diagnoses",
	    { ["Content-Type"] = "text/plain" }, body)
end

function request()
	return req
end
