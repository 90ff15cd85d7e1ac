import Testing

/// The fault drills of issue 8 (docs/RELIABILITY.md), one at a time: each starts its own
/// processes, and some assert wall times that a neighbouring drill's load on a small
/// machine would distort. Run them with `swift test --filter ReliabilityTests.FaultDrills`.
@Suite(.serialized) enum FaultDrills {}
