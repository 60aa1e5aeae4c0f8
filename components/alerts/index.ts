/** AnomalyAlerts: CloudWatch anomaly detection alarms on window metrics, with an anomaly log and notifications. */
export { AnomalyAlerts, resolveAnomalyAlertsSettings, anomalyMetricQueries, ANOMALY_COMPARISONS, TREAT_MISSING_DATA } from "./anomalyAlerts";
export type { AnomalyAlertsArgs, AnomalyAlarmArgs, AnomalyAlertsSettings, AlarmMetric, AnomalyComparison, TreatMissingData, ResolvedAlarm } from "./anomalyAlerts";
export { alertsKeyPolicyDocument, alarmTopicPolicyDocument, alertFunctionPolicyDocument } from "./policies";
export { SeasonalRobustDetector } from "../../dataplane/anomaly/detector";
export type { DetectorOptions, DetectorResult, MissingPolicy, SeasonModel } from "../../dataplane/anomaly/detector";
export { EpisodeTracker, groupEpisodes } from "../../dataplane/anomaly/episodes";
export type { Episode, EpisodeTrackerOptions, ScoredPoint } from "../../dataplane/anomaly/episodes";
