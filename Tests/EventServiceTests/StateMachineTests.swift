import Testing

@testable import EventService

@Suite struct EventStatusMachineTests {
    @Test(arguments: [
        (EventStatus.draft, [EventStatus.active]),
        (.active, [.inactive, .completed]),
        (.inactive, [.active, .completed]),
        (.completed, []),
    ])
    func allowedTargetsAreExactlyTheDocumentedOnes(from: EventStatus, allowed: [EventStatus]) {
        #expect(EventStatusMachine(from).allowedTargets == allowed)
        for target in EventStatus.allCases {
            var machine = EventStatusMachine(from)
            let outcome = machine.move(to: target)
            if allowed.contains(target) {
                #expect(outcome == .moved(from: from, to: target))
                #expect(machine.status == target)
            } else {
                #expect(outcome == .invalid(current: from, allowed: allowed))
                #expect(machine.status == from)
            }
        }
    }

    @Test func onlyDraftAndInactiveEventsAreEditable() {
        #expect(EventStatus.allCases.filter { EventStatusMachine($0).isEditable } == [.draft, .inactive])
    }

    @Test func completedEventsTakeNoRewardsAndOnlyActiveOnesAreClaimable() {
        #expect(EventStatus.allCases.filter { EventStatusMachine($0).acceptsRewards } == [.draft, .active, .inactive])
        #expect(EventStatus.allCases.filter { EventStatusMachine($0).isClaimable } == [.active])
        #expect(EventStatus.allCases.filter { !EventStatusMachine($0).isVisibleToUsers } == [.draft])
    }
}

@Suite struct ClaimStateMachineTests {
    @Test func evaluationStartsPendingOrRejected() {
        #expect(ClaimStateMachine.evaluated(conditionsMet: true) == ClaimStateMachine(status: .pending))
        let rejected = ClaimStateMachine.evaluated(conditionsMet: false)
        #expect(rejected.status == .rejected && rejected.reason == .conditionNotMet)
        #expect(!rejected.holdsGrantLock)
    }

    @Test(arguments: [
        (ClaimStateMachine.Event.paidOut, ClaimStatus.granted, ClaimReason?.none),
        (.outOfStock, .rejected, .outOfStock),
        (.attemptsExhausted, .failed, nil),
    ])
    func pendingMovesOncePerEvent(event: ClaimStateMachine.Event, to status: ClaimStatus, reason: ClaimReason?) {
        var machine = ClaimStateMachine(status: .pending)
        #expect(machine.handle(event) == .moved(to: status))
        #expect(machine.status == status && machine.reason == reason)
        #expect(!machine.needsWork)
        // Final: nothing moves it again.
        for next in [ClaimStateMachine.Event.paidOut, .outOfStock, .attemptsExhausted] {
            var copy = machine
            #expect(copy.handle(next) == .alreadyFinal(status))
            #expect(copy == machine)
        }
    }

    @Test func grantLockIsHeldUnlessRejected() {
        #expect(ClaimStateMachine(status: .pending).holdsGrantLock)
        #expect(ClaimStateMachine(status: .granted).holdsGrantLock)
        #expect(ClaimStateMachine(status: .failed).holdsGrantLock)
        #expect(!ClaimStateMachine(status: .rejected, reason: .outOfStock).holdsGrantLock)
    }
}
