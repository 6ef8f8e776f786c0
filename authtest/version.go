package authtest

import (
	"context"
	"net/http"
	"strings"

	"connectrpc.com/connect"
)

// The Flyte probe procedure: flyteadmin's version RPC and its REST route,
// both protected like the test service. Clients (and `authwire doctor`)
// call it to check that a token is accepted.
const (
	// AdminServiceName is the fully qualified name of flyteadmin's service.
	AdminServiceName = "flyteidl.service.AdminService"
	// GetVersionProcedure answers the server's [Version] (see [WithVersion]);
	// its request is empty.
	GetVersionProcedure = "/flyteidl.service.AdminService/GetVersion"
	// VersionPath is the REST form of GetVersionProcedure: a GET answers
	// {"control_plane_version":{"Build":…,"Version":…,"BuildTime":…}}.
	VersionPath = "/api/v1/version"
)

// Version is flyteidl's admin.Version message: fields 1 Build, 2 Version and
// 3 BuildTime, all strings.
type Version struct {
	Build     string `json:"Build,omitempty"`
	Version   string `json:"Version,omitempty"`
	BuildTime string `json:"BuildTime,omitempty"`
}

// GetVersionRequest is flyteidl's admin.GetVersionRequest: it has no fields.
type GetVersionRequest struct{}

// GetVersionResponse is flyteidl's admin.GetVersionResponse: field 1
// control_plane_version, a [Version].
type GetVersionResponse struct {
	ControlPlaneVersion *Version
}

// defaultVersion is what GetVersion answers without [WithVersion].
var defaultVersion = Version{Build: "authtest", Version: "v0.0.0-authtest", BuildTime: "1970-01-01T00:00:00Z"}

// NewVersionClient returns a connect client for [GetVersionProcedure] at
// baseURL (e.g. [Server.URL]), sending through httpClient with binary
// Protobuf. opts apply after the codec: pass [connect.WithGRPC] or
// [connect.WithGRPCWeb] to change the protocol, but no other codec. The
// client registers nothing globally and is safe for concurrent use.
func NewVersionClient(httpClient connect.HTTPClient, baseURL string, opts ...connect.ClientOption) *connect.Client[GetVersionRequest, GetVersionResponse] {
	opts = append([]connect.ClientOption{connect.WithCodec(versionProtoCodec{})}, opts...)
	return connect.NewClient[GetVersionRequest, GetVersionResponse](httpClient, strings.TrimRight(baseURL, "/")+GetVersionProcedure, opts...)
}

// adminService returns the handler of GetVersion, behind the auth
// interceptor, speaking binary Protobuf and JSON over every protocol.
func (s *Server) adminService() http.Handler {
	return connect.NewUnaryHandler(GetVersionProcedure,
		func(context.Context, *connect.Request[GetVersionRequest]) (*connect.Response[GetVersionResponse], error) {
			v := s.set.version
			return connect.NewResponse(&GetVersionResponse{ControlPlaneVersion: &v}), nil
		},
		connect.WithInterceptors(authInterceptor{s: s}),
		connect.WithCodec(versionJSONCodec{name: "json"}),
		connect.WithCodec(versionJSONCodec{name: "json; charset=utf-8"}),
		connect.WithCodec(versionProtoCodec{}),
	)
}

// restVersion is the REST answer of flyteadmin's grpc-gateway, which keeps
// the proto field names and emits empty fields.
type restVersion struct {
	ControlPlaneVersion struct {
		Build     string `json:"Build"`
		Version   string `json:"Version"`
		BuildTime string `json:"BuildTime"`
	} `json:"control_plane_version"`
}

// version is the protected REST route GET /api/v1/version.
func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	if !s.guardREST(w, r) {
		return
	}
	var res restVersion
	v := s.set.version
	res.ControlPlaneVersion.Build, res.ControlPlaneVersion.Version, res.ControlPlaneVersion.BuildTime = v.Build, v.Version, v.BuildTime
	writeJSON(w, http.StatusOK, res)
}
