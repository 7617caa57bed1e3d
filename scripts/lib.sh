# Shared by the benchmark and load scripts (sourced, not run): loopback ports and the Azurite connection string.

# A free TCP port on loopback.
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# Waits up to 20 s for something to listen on loopback port $1.
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

# The connection string of an Azurite table service on loopback port $1: Azurite's published development account
# (documented by Microsoft for the emulator; not a secret of this project).
azurite_connection() {
  local secret="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$secret;TableEndpoint=http://127.0.0.1:$1/devstoreaccount1;"
}
