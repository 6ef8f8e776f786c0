package errs

import (
	"net/http"
	"strings"
)

// flyteReadProcedures is the built-in table of Flyte procedures that have no
// side effects, so the retry layer resends their calls after a transient
// failure by default (see [Policy]). It holds, for Flyte 1
// (flyteidl/protos/flyteidl/service), every Get… and List… method but
// GetOrCreateSignal, and IdentityService.UserInfo; for Flyte 2 (flyteidl2),
// every method marked NO_SIDE_EFFECTS or IDEMPOTENT, and the unmarked reads
// (Get…, List…, Watch…, TailLogs, UserInfo) but GetOrExtendReservation.
//
// The names are checked against the method lists in testdata/, taken from
// the protos of github.com/flyteorg/flyte; a name that is not there fails
// the test. Review this table when flyteidl adds a service.
var flyteReadProcedures = []string{
	// flyteidl.service.AdminService
	"/flyteidl.service.AdminService/GetActiveLaunchPlan",
	"/flyteidl.service.AdminService/GetDescriptionEntity",
	"/flyteidl.service.AdminService/GetDomains",
	"/flyteidl.service.AdminService/GetDynamicNodeWorkflow",
	"/flyteidl.service.AdminService/GetExecution",
	"/flyteidl.service.AdminService/GetExecutionData",
	"/flyteidl.service.AdminService/GetExecutionMetrics",
	"/flyteidl.service.AdminService/GetLaunchPlan",
	"/flyteidl.service.AdminService/GetNamedEntity",
	"/flyteidl.service.AdminService/GetNodeExecution",
	"/flyteidl.service.AdminService/GetNodeExecutionData",
	"/flyteidl.service.AdminService/GetProject",
	"/flyteidl.service.AdminService/GetProjectAttributes",
	"/flyteidl.service.AdminService/GetProjectDomainAttributes",
	"/flyteidl.service.AdminService/GetTask",
	"/flyteidl.service.AdminService/GetTaskExecution",
	"/flyteidl.service.AdminService/GetTaskExecutionData",
	"/flyteidl.service.AdminService/GetVersion",
	"/flyteidl.service.AdminService/GetWorkflow",
	"/flyteidl.service.AdminService/GetWorkflowAttributes",
	"/flyteidl.service.AdminService/ListActiveLaunchPlans",
	"/flyteidl.service.AdminService/ListDescriptionEntities",
	"/flyteidl.service.AdminService/ListExecutions",
	"/flyteidl.service.AdminService/ListLaunchPlanIds",
	"/flyteidl.service.AdminService/ListLaunchPlans",
	"/flyteidl.service.AdminService/ListMatchableAttributes",
	"/flyteidl.service.AdminService/ListNamedEntities",
	"/flyteidl.service.AdminService/ListNodeExecutions",
	"/flyteidl.service.AdminService/ListNodeExecutionsForTask",
	"/flyteidl.service.AdminService/ListProjects",
	"/flyteidl.service.AdminService/ListTaskExecutions",
	"/flyteidl.service.AdminService/ListTaskIds",
	"/flyteidl.service.AdminService/ListTasks",
	"/flyteidl.service.AdminService/ListWorkflowIds",
	"/flyteidl.service.AdminService/ListWorkflows",

	// flyteidl.service.AgentMetadataService
	"/flyteidl.service.AgentMetadataService/GetAgent",
	"/flyteidl.service.AgentMetadataService/ListAgents",

	// flyteidl.service.AsyncAgentService
	"/flyteidl.service.AsyncAgentService/GetTask",
	"/flyteidl.service.AsyncAgentService/GetTaskLogs",
	"/flyteidl.service.AsyncAgentService/GetTaskMetrics",

	// flyteidl.service.AuthMetadataService
	"/flyteidl.service.AuthMetadataService/GetOAuth2Metadata",
	"/flyteidl.service.AuthMetadataService/GetPublicClientConfig",

	// flyteidl.service.DataProxyService
	"/flyteidl.service.DataProxyService/GetData",

	// flyteidl.service.ExternalPluginService
	"/flyteidl.service.ExternalPluginService/GetTask",

	// flyteidl.service.IdentityService
	"/flyteidl.service.IdentityService/UserInfo",

	// flyteidl.service.SignalService
	"/flyteidl.service.SignalService/ListSignals",

	// flyteidl2.actions.ActionsService
	"/flyteidl2.actions.ActionsService/WatchForUpdates",

	// flyteidl2.app.AppLogsService
	"/flyteidl2.app.AppLogsService/TailLogs",

	// flyteidl2.app.AppService
	"/flyteidl2.app.AppService/Get",
	"/flyteidl2.app.AppService/List",
	"/flyteidl2.app.AppService/Watch",

	// flyteidl2.artifact.ArtifactService
	"/flyteidl2.artifact.ArtifactService/GetArtifact",
	"/flyteidl2.artifact.ArtifactService/ListArtifactNames",
	"/flyteidl2.artifact.ArtifactService/ListArtifacts",

	// flyteidl2.auth.AuthMetadataService
	"/flyteidl2.auth.AuthMetadataService/GetOAuth2Metadata",
	"/flyteidl2.auth.AuthMetadataService/GetPublicClientConfig",

	// flyteidl2.auth.IdentityService
	"/flyteidl2.auth.IdentityService/UserInfo",

	// flyteidl2.cacheservice.CacheService
	"/flyteidl2.cacheservice.CacheService/Get",

	// flyteidl2.cacheservice.v2.CacheService
	"/flyteidl2.cacheservice.v2.CacheService/Get",

	// flyteidl2.connector.AsyncConnectorService
	"/flyteidl2.connector.AsyncConnectorService/GetTask",
	"/flyteidl2.connector.AsyncConnectorService/GetTaskLogs",
	"/flyteidl2.connector.AsyncConnectorService/GetTaskMetrics",

	// flyteidl2.connector.ConnectorMetadataService
	"/flyteidl2.connector.ConnectorMetadataService/GetConnector",
	"/flyteidl2.connector.ConnectorMetadataService/ListConnectors",

	// flyteidl2.dataproxy.DataProxyService
	"/flyteidl2.dataproxy.DataProxyService/GetActionData",
	"/flyteidl2.dataproxy.DataProxyService/TailLogs",

	// flyteidl2.imagebuilder.ImageService
	"/flyteidl2.imagebuilder.ImageService/GetImage",

	// flyteidl2.org.DomainService
	"/flyteidl2.org.DomainService/GetDomain",
	"/flyteidl2.org.DomainService/ListDomains",

	// flyteidl2.project.ProjectService
	"/flyteidl2.project.ProjectService/GetProject",
	"/flyteidl2.project.ProjectService/ListProjects",

	// flyteidl2.secret.SecretService
	"/flyteidl2.secret.SecretService/GetSecret",
	"/flyteidl2.secret.SecretService/ListSecrets",

	// flyteidl2.settings.SettingsService
	"/flyteidl2.settings.SettingsService/GetSettings",
	"/flyteidl2.settings.SettingsService/GetSettingsForEdit",

	// flyteidl2.task.TaskService
	"/flyteidl2.task.TaskService/GetTaskDetails",
	"/flyteidl2.task.TaskService/ListTasks",
	"/flyteidl2.task.TaskService/ListVersions",

	// flyteidl2.trigger.TriggerService
	"/flyteidl2.trigger.TriggerService/GetTriggerDetails",
	"/flyteidl2.trigger.TriggerService/GetTriggerRevisionDetails",
	"/flyteidl2.trigger.TriggerService/GetTriggerRevisionHistory",
	"/flyteidl2.trigger.TriggerService/ListTriggers",

	// flyteidl2.workflow.RunLogsService
	"/flyteidl2.workflow.RunLogsService/TailLogs",

	// flyteidl2.workflow.RunService
	"/flyteidl2.workflow.RunService/GetActionData",
	"/flyteidl2.workflow.RunService/GetActionDataURIs",
	"/flyteidl2.workflow.RunService/GetActionDetails",
	"/flyteidl2.workflow.RunService/GetActionLogContext",
	"/flyteidl2.workflow.RunService/GetRunDetails",
	"/flyteidl2.workflow.RunService/ListActions",
	"/flyteidl2.workflow.RunService/ListRuns",
	"/flyteidl2.workflow.RunService/WatchActionDetails",
	"/flyteidl2.workflow.RunService/WatchActions",
	"/flyteidl2.workflow.RunService/WatchClusterEvents",
	"/flyteidl2.workflow.RunService/WatchGroups",
	"/flyteidl2.workflow.RunService/WatchRunDetails",
	"/flyteidl2.workflow.RunService/WatchRuns",

	// flyteidl2.workflow.StateService
	"/flyteidl2.workflow.StateService/Get",
	"/flyteidl2.workflow.StateService/Watch",

	// flyteidl2.workflow.TrackedRunService
	"/flyteidl2.workflow.TrackedRunService/GetActionDetails",
	"/flyteidl2.workflow.TrackedRunService/GetRunDetails",
	"/flyteidl2.workflow.TrackedRunService/ListActions",
	"/flyteidl2.workflow.TrackedRunService/ListRuns",
	"/flyteidl2.workflow.TrackedRunService/WatchActionDetails",
	"/flyteidl2.workflow.TrackedRunService/WatchActions",
	"/flyteidl2.workflow.TrackedRunService/WatchRunDetails",
	"/flyteidl2.workflow.TrackedRunService/WatchRuns",

	// flyteidl2.workflow.TranslatorService
	"/flyteidl2.workflow.TranslatorService/JsonValuesToLiterals",
	"/flyteidl2.workflow.TranslatorService/LaunchFormJsonToLiterals",
	"/flyteidl2.workflow.TranslatorService/LiteralsToLaunchFormJson",
	"/flyteidl2.workflow.TranslatorService/TaskSpecToLaunchFormJson",
}

// flyteReads is flyteReadProcedures as a set.
var flyteReads = procedureSet(flyteReadProcedures)

// procedureSet returns procedures as a set.
func procedureSet(procedures []string) map[string]struct{} {
	set := make(map[string]struct{}, len(procedures))
	for _, p := range procedures {
		set[p] = struct{}{}
	}
	return set
}

// isFlyteRead reports whether req calls a procedure of the built-in table,
// under whatever path prefix the base URL has.
func isFlyteRead(req *http.Request) bool {
	_, ok := flyteReads[procedurePath(req.URL.Path)]
	return ok
}

// procedurePath returns the last two segments of an RPC's URL path
// ("/flyteidl.service.AdminService/GetTask"), or path when it has fewer.
func procedurePath(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		return path
	}
	if j := strings.LastIndexByte(path[:i], '/'); j >= 0 {
		return path[j:]
	}
	return path
}
