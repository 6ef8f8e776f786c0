module github.com/authwire/authwire/bench

go 1.26.0

require (
	connectrpc.com/connect v1.21.1
	github.com/authwire/authwire v0.0.0
	github.com/google/pprof v0.0.0-20260802141513-ef3492d7dac3
	golang.org/x/oauth2 v0.38.0
	google.golang.org/grpc v1.85.0
	google.golang.org/protobuf v1.36.12
)

require (
	cloud.google.com/go/compute/metadata v0.10.0 // indirect
	connectrpc.com/connect/v2 v2.0.2 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260817212433-ac3dfec99bb1 // indirect
)

replace github.com/authwire/authwire => ../
