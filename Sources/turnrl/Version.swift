/// The version `turnrl --version` prints; bump it with each release.
enum TurnRLVersion {
    static let string = "0.1.0"
}
