//! The demo network: who is in it, who is connected with whom, the tags each
//! person keeps and what they write. Plain data; `steps.rs` plays it through
//! the API.

/// Everyone, in sign-up order. Each signs in with `<name>` or `<name>@example.com`.
pub const PEOPLE: &[&str] = &[
    "ann", "bob", "cleo", "dev", "eli", "fay", "gus", "hana", "ivan", "jun", "kai", "lena",
];

/// The person the final message suggests signing in as: she has connections,
/// tags, posts of every audience, two requests waiting and one sent.
pub const SHOWCASE: &str = "ann";

/// Accepted connections: (who asked, who accepted).
pub const CONNECTIONS: &[(&str, &str)] = &[
    ("bob", "ann"),
    ("ann", "cleo"),
    ("dev", "ann"),
    ("ann", "fay"),
    ("hana", "ann"),
    ("lena", "ann"),
    ("bob", "cleo"),
    ("gus", "bob"),
    ("bob", "ivan"),
    ("kai", "bob"),
    ("cleo", "eli"),
    ("lena", "cleo"),
    ("dev", "eli"),
    ("jun", "dev"),
    ("eli", "fay"),
    ("fay", "gus"),
    ("fay", "hana"),
    ("gus", "hana"),
    ("hana", "ivan"),
    ("ivan", "jun"),
    ("jun", "kai"),
    ("kai", "lena"),
];

/// Requests left waiting for an answer: (from, to).
pub const PENDING: &[(&str, &str)] = &[
    ("gus", "ann"),
    ("eli", "ann"),
    ("ann", "jun"),
    ("ivan", "cleo"),
    ("lena", "dev"),
];

/// Each person's tags: (owner, name, colour).
pub const TAGS: &[(&str, &str, &str)] = &[
    ("ann", "Family", "family"),
    ("ann", "Friends", "friends"),
    ("ann", "Work", "work"),
    ("ann", "Book club", "custom"),
    ("bob", "Family", "family"),
    ("bob", "Work", "work"),
    ("bob", "Climbing", "custom"),
    ("cleo", "Friends", "friends"),
    ("cleo", "Book club", "custom"),
    ("dev", "Work", "work"),
    ("dev", "Family", "family"),
    ("eli", "Friends", "friends"),
    ("fay", "Family", "family"),
    ("fay", "Friends", "friends"),
    ("gus", "Work", "work"),
    ("gus", "Climbing", "custom"),
    ("hana", "Family", "family"),
    ("hana", "Friends", "friends"),
    ("ivan", "Work", "work"),
    ("jun", "Friends", "friends"),
    ("kai", "Climbing", "custom"),
    ("kai", "Friends", "friends"),
    ("lena", "Book club", "custom"),
    ("lena", "Inner circle", "inner"),
];

/// Tags put on connections: (owner, connection, the owner's tag names).
pub const TAGGED: &[(&str, &str, &[&str])] = &[
    ("ann", "bob", &["Family"]),
    ("ann", "cleo", &["Friends", "Book club"]),
    ("ann", "dev", &["Work"]),
    ("ann", "fay", &["Friends"]),
    ("ann", "hana", &["Family"]),
    ("ann", "lena", &["Book club", "Friends"]),
    ("bob", "ann", &["Family"]),
    ("bob", "gus", &["Climbing", "Work"]),
    ("bob", "ivan", &["Work"]),
    ("bob", "kai", &["Climbing"]),
    ("cleo", "ann", &["Friends", "Book club"]),
    ("cleo", "lena", &["Book club"]),
    ("cleo", "eli", &["Friends"]),
    ("dev", "ann", &["Work"]),
    ("dev", "eli", &["Work"]),
    ("dev", "jun", &["Family"]),
    ("eli", "fay", &["Friends"]),
    ("eli", "cleo", &["Friends"]),
    ("fay", "ann", &["Friends"]),
    ("fay", "hana", &["Family"]),
    ("fay", "gus", &["Friends"]),
    ("gus", "bob", &["Climbing"]),
    ("gus", "hana", &["Work"]),
    ("hana", "ann", &["Family"]),
    ("hana", "fay", &["Family"]),
    ("hana", "ivan", &["Friends"]),
    ("ivan", "bob", &["Work"]),
    ("ivan", "jun", &["Work"]),
    ("jun", "kai", &["Friends"]),
    ("jun", "dev", &["Friends"]),
    ("kai", "bob", &["Climbing"]),
    ("kai", "lena", &["Friends"]),
    ("lena", "ann", &["Book club", "Inner circle"]),
    ("lena", "cleo", &["Book club"]),
    ("lena", "kai", &["Inner circle"]),
];

/// Who a post is for.
#[derive(Clone, Copy)]
pub enum For {
    /// Every connection.
    Connections,
    /// The connections the author tagged with one of these tags.
    Tags(&'static [&'static str]),
    /// The author alone.
    Private,
}

/// The posts, oldest first: (author, audience, text).
pub const POSTS: &[(&str, For, &str)] = &[
    (
        "cleo",
        For::Connections,
        "Walked home the long way along the canal this evening. The herons are back: three of them, standing perfectly still, as if waiting for a bus.",
    ),
    (
        "bob",
        For::Tags(&["Family"]),
        "Mum's birthday dinner is on Sunday at six. I'm bringing the lemon cake again (by request). Could someone pick up candles?",
    ),
    (
        "ann",
        For::Connections,
        "Repotted the fig tree on the balcony this morning. I'm covered in soil, but it looks so much happier in the bigger pot.",
    ),
    (
        "dev",
        For::Tags(&["Work"]),
        "The quarterly report is out of the door. Thank you all for your patience with the spreadsheet chaos this week. Coffee is on me on Friday.",
    ),
    (
        "hana",
        For::Connections,
        "First proper frost this morning. The whole allotment was silver, and the kale didn't seem to mind at all.",
    ),
    (
        "ann",
        For::Private,
        "Note to self: call the dentist on Monday, renew the library card, reply to Cleo about the book.",
    ),
    (
        "lena",
        For::Tags(&["Book club"]),
        "Halfway through 'The Remains of the Day'. I keep underlining sentences and then wondering who I'm underlining them for.",
    ),
    (
        "gus",
        For::Connections,
        "Fixed the bike's back brake with nothing but a video and a lot of stubbornness. Rode to the bakery to celebrate.",
    ),
    (
        "fay",
        For::Tags(&["Family"]),
        "Found Grandma's recipe box while clearing the attic. Her handwriting on the plum dumplings card got me a little teary. Scanning them all this weekend so we each have a copy.",
    ),
    (
        "kai",
        For::Tags(&["Climbing"]),
        "Anyone up for the bouldering gym on Thursday evening? I finally want to try that overhang problem in the corner.",
    ),
    (
        "eli",
        For::Connections,
        "Started learning to bake bread. Loaf number one could be used as a doorstop. Loaf number two is... edible. Progress.",
    ),
    (
        "ann",
        For::Tags(&["Book club"]),
        "Next month's book: 'A Month in the Country'. Short, gentle and just right for November. We meet at mine on the 14th; I'll make tea.",
    ),
    (
        "ivan",
        For::Connections,
        "Spent the afternoon at the model railway exhibition with my nephew. He was far more excited about the tiny sheep than the trains.",
    ),
    (
        "jun",
        For::Tags(&["Friends"]),
        "Board game night at mine this Saturday, from seven. Bring snacks if you like; bring yourself either way.",
    ),
    (
        "bob",
        For::Tags(&["Climbing"]),
        "Kai, count me in for Thursday. My forearms have mostly forgiven me for last week.",
    ),
    (
        "cleo",
        For::Tags(&["Book club"]),
        "I'm in for the 14th! I'll bring shortbread from the little place on Mill Street.",
    ),
    (
        "dev",
        For::Private,
        "Ideas for Jun's birthday: a good chef's knife? The pottery class we talked about? Ask Eli.",
    ),
    (
        "hana",
        For::Tags(&["Family"]),
        "Dad's hip operation went well. He's already complaining about the hospital tea, which we are taking as a very good sign.",
    ),
    (
        "lena",
        For::Connections,
        "Quiet Sunday: a pot of soup on the stove, rain on the window, and nowhere I need to be.",
    ),
    (
        "fay",
        For::Connections,
        "The community garden is looking for volunteers on Saturday mornings. No experience needed; I didn't have any either.",
    ),
    (
        "ann",
        For::Tags(&["Family"]),
        "Hana, so glad to hear about your dad. I'll drop by with a crossword book and some decent tea bags for him.",
    ),
    (
        "gus",
        For::Tags(&["Work"]),
        "Reminder: the office is closed on Friday for the move. Pack your desk by Thursday and label everything twice.",
    ),
    (
        "kai",
        For::Connections,
        "Sunrise from the ridge this morning. Worth the 5 a.m. alarm, not that I'll admit it to anyone before lunch.",
    ),
    (
        "eli",
        For::Private,
        "Sourdough starter fed at 9 pm. Feed again at 9 am. Do not forget this time.",
    ),
    (
        "ivan",
        For::Tags(&["Work"]),
        "Our team's paper was accepted! Thank you, Bob, for reading every draft, even the terrible third one.",
    ),
    (
        "jun",
        For::Connections,
        "Learned today that my grandmother used to sing in a jazz band. Eighty-four years old and still surprising me.",
    ),
    (
        "cleo",
        For::Connections,
        "Library sale this weekend: twelve books for five pounds. I have no shelf space and no regrets.",
    ),
    (
        "bob",
        For::Connections,
        "Taking a few days off. Phone on silent, books in the bag, walking boots by the door.",
    ),
    (
        "lena",
        For::Tags(&["Inner circle"]),
        "Some news I wanted you to hear from me first: I've been offered the job in Edinburgh. I haven't decided yet. Tea soon?",
    ),
    (
        "fay",
        For::Tags(&["Friends"]),
        "Ann, thank you for the plant cutting: it has rooted! I've named it Gerald.",
    ),
    (
        "dev",
        For::Connections,
        "Our little one said her first full sentence today: \"the cat is on the table again.\" Accurate and, sadly, very true.",
    ),
    (
        "ann",
        For::Connections,
        "Thank you all for the kind messages this week. It's lovely to have a small, quiet corner of the internet with the people who matter.",
    ),
    (
        "ann",
        For::Tags(&["Friends"]),
        "Picnic in the park on Saturday if the weather holds? Bring a blanket; I'll bring the lemonade.",
    ),
    (
        "ann",
        For::Private,
        "Things that made today good: fresh bread, the letter from Aunt May, and the fig has a new leaf.",
    ),
    (
        "hana",
        For::Connections,
        "The first snowdrops are out along the path by the church. Spring is a long way off, but it's on its way.",
    ),
    (
        "kai",
        For::Tags(&["Friends"]),
        "Lena, whatever you decide, we'll come and visit. Edinburgh has excellent climbing, just saying.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn connected(a: &str, b: &str) -> bool {
        CONNECTIONS
            .iter()
            .any(|&(x, y)| (x, y) == (a, b) || (x, y) == (b, a))
    }

    fn has_tag(owner: &str, name: &str) -> bool {
        TAGS.iter().any(|&(o, n, _)| o == owner && n == name)
    }

    #[test]
    fn the_script_is_consistent() {
        let known = |name: &str| PEOPLE.contains(&name);
        for &(a, b) in CONNECTIONS.iter().chain(PENDING) {
            assert!(known(a) && known(b) && a != b, "{a} {b}");
        }
        for &(a, b) in PENDING {
            assert!(!connected(a, b), "{a} and {b} are pending and connected");
        }
        for &(owner, other, tags) in TAGGED {
            assert!(
                connected(owner, other),
                "{owner} tags {other}, not connected"
            );
            for tag in tags {
                assert!(has_tag(owner, tag), "{owner} has no tag {tag}");
            }
        }
        let mut audiences = [0; 3];
        for &(author, audience, text) in POSTS {
            assert!(known(author) && !text.trim().is_empty() && text.len() <= 5000);
            match audience {
                For::Connections => audiences[0] += 1,
                For::Tags(tags) => {
                    audiences[1] += 1;
                    assert!(
                        tags.iter().all(|t| has_tag(author, t)),
                        "{author}: {tags:?}"
                    );
                }
                For::Private => audiences[2] += 1,
            }
        }
        assert!(audiences.iter().all(|&n| n > 0));
    }
}
