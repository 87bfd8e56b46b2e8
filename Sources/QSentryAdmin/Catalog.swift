import QSentryConnection
import QSentryContent
import QSentryCore
import QSentryDelivery
import QSentryEnvelope
import QSentrySMTPD
import QSentryStore

/// Every control file the suite reads, assembled from the rules that read them (each rule type's
/// `controlFiles`) and the few no rule owns (ControlCatalog.shared): the list `qsentry check`
/// lints, `qsentry cdb` compiles and qsentry-control(5) describes. Adding a rule adds its files here.
public enum Catalog {
    public static let files: [ControlFileSpec] = ControlCatalog.shared + ConnectionConfiguration.controlFiles
        + EnvelopePolicy.controlFiles + AuthSettings.controlFiles + TLSSettings.controlFiles + SMTPSession.controlFiles
        + ContentConfiguration.controlFiles + DeliveryStage.controlFiles + WebConsole.controlFiles + RedisCredentials.controlFiles

    public static func spec(named name: String, location: ControlFileSpec.Location) -> ControlFileSpec? {
        files.first { $0.name == name && $0.location == location }
    }
}
