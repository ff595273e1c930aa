/// A link known at compile time: `LinkedFamily<F, L>` is generic over it, so the row pass of a
/// family with a non-default link is specialised for that link (the `switch` in `Link`'s members
/// folds to one case) rather than dispatched per row.
protocol StaticLink {
    static var link: Link { get }
}

/// μ = η.
enum IdentityLink: StaticLink { static var link: Link { .identity } }
/// μ = logistic(η) (the default link of the probability families, named for `CumulativeFamily`).
enum LogitLink: StaticLink { static var link: Link { .logit } }
/// μ = e^η.
enum LogLink: StaticLink { static var link: Link { .log } }
/// μ = Φ(η).
enum ProbitLink: StaticLink { static var link: Link { .probit } }
/// μ = 1 − exp(−e^η).
enum ComplementaryLogLogLink: StaticLink { static var link: Link { .cloglog } }
/// μ = ½ + atan(η)/π.
enum CauchitLink: StaticLink { static var link: Link { .cauchit } }
/// μ = 1/η (brms' `inverse`).
enum ReciprocalLink: StaticLink { static var link: Link { .reciprocal } }
/// μ = η².
enum SquareRootLink: StaticLink { static var link: Link { .sqrt } }
