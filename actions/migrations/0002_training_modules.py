"""Starter training: for each of the six dimensions, a module for everyone and a coaching guide for
managers. Written for this product: every department is a link in the customer-service chain and
serves the others as internal customers; managers' first customers are their own staff.

Created only where the slug is free (HR's edits in the admin are never overwritten); reversing
removes the starter modules by slug.
"""

from django.db import migrations

P = "\n\n".join  # paragraphs
L = "\n".join  # one item per line

MODULES = [
    # ---- Willingness ------------------------------------------------------------------------------
    {
        "slug": "willingness",
        "dimension": "willingness",
        "kind": "module",
        "title": "Willingness to help: say yes to the person first",
        "summary": (
            "Helping a colleague from another department is part of the job, not a favour. What it looks like "
            "when you mean it, and the small moments where it slips."
        ),
        "body": P(
            [
                "Every department in this company is a link in one chain. Sales depends on Finance for a quote, "
                "Finance on IT for a working system, IT on Facilities for a room with power, and all of them on "
                "the people who answer the customer at the end. When one link shrugs, the customer feels it, even "
                "though they never see the department that shrugged. The colleagues who come to you with a "
                "request are your customers: internal ones, but customers.",
                "Willingness is the first thing those internal customers notice. Before they know whether you "
                "can solve their problem, they know whether you want to. They hear it in your first sentence, see "
                "it in how quickly you look up from your screen and read it in the tone of your reply. A "
                "colleague who feels welcome comes back early, with small problems. A colleague who feels like a "
                "nuisance comes back late, with big ones.",
                "What good looks like. You treat a request from another department the way you would treat one "
                "from your own manager. You don't check the requester's title before deciding how hard to try. "
                "You say what you can do before you say what you can't. When the answer really is no, you say "
                "why, and you offer the next best thing: a person, a date, a workaround. And you help the new "
                "starter, the temp and the person on the night shift with the same care as the director.",
                "Willingness is not saying yes to everything. You have priorities and limits, and sometimes the "
                "honest answer is \u201cnot this week\u201d. The difference is that a willing \u201cnot this "
                "week\u201d comes with a reason, a real date and an offer, while an unwilling one is a closed "
                "door. When two departments need you at the same time, ask your manager to help you choose; "
                "that is part of their job.",
                "Why it matters. The ratings your department receives each quarter come from the people you "
                "help, or don't. The question they answer is simple: \u201cThey are willing to help me, whatever "
                "their title or department.\u201d Small moments of willingness, repeated across a team, are what "
                "moves that answer, and what makes the whole chain stronger.",
            ]
        ),
        "moments": L(
            [
                "A colleague from another floor asks for something small, and your first thought is "
                "\u201cwhy me?\u201d rather than \u201chow can I help?\u201d",
                "The request comes from someone junior, so it goes to the bottom of the pile.",
                "You answer \u201cthat's not how we do it here\u201d without asking what they are trying to do.",
                "You see a lost visitor in the corridor and walk past, because reception handles that.",
                "Someone asks for help five minutes before you leave, and you pretend you didn't see the message.",
                "You help, but with a sigh that makes sure they won't ask again.",
                "A department you have had trouble with before asks for help, and you let the history decide.",
            ]
        ),
        "self_check": L(
            [
                "When did I last go out of my way for someone outside my department?",
                "Do I treat a request from a junior colleague the same as one from a director?",
                "When I have to say no, do I also offer a person, a date or a workaround?",
                "Would the last three people who asked me for something come back with their next problem?",
                "Which department do I find it hardest to be willing with, and why?",
            ]
        ),
    },
    {
        "slug": "willingness-coaching",
        "dimension": "willingness",
        "kind": "coaching",
        "title": "Coaching guide: talking about willingness with your team",
        "summary": (
            "How to discuss your willingness ratings, from the departments you serve and from your own staff, "
            "so that the team leaves the meeting wanting to help rather than defending itself."
        ),
        "body": P(
            [
                "This guide helps you hold a 30 to 45 minute conversation with your team about the willingness "
                "figures on your department's scorecard. There are two sets: what the departments you serve said "
                "about your team (as their supplier), and what your own staff said about their management, you "
                "included. Your staff are your first customers. If they don't feel you are willing to help them, "
                "it is hard for them to be willing with anyone else.",
                "Before the meeting. Read the scorecard alone first, and notice your own reaction before you "
                "bring it to the team. Pick out no more than two things: the departments that rated your "
                "willingness lowest, and the gap between what they expected and what they got. Look at your "
                "management figure too: would your staff say you help them whatever their job? Book the meeting "
                "in working hours, invite everyone and say in advance what it is about, so nobody walks in "
                "feeling ambushed.",
                "In the meeting. Open with the purpose: the figures are not a verdict on anyone, they are what our "
                "internal customers are telling us. Share them plainly, the good and the bad. Then ask open "
                "questions and listen more than you speak: \u201cWhen do we find it hard to say yes?\u201d, "
                "\u201cWhich requests do we dread, and why?\u201d, \u201cWhat gets in the way of helping?\u201d "
                "Often the answer is workload, unclear priorities or a rule nobody remembers the reason for. "
                "Those are things you can fix. If your management figure is low, say so first and ask what you "
                "could do differently. That does more than any slide.",
                "Close by agreeing on one or two concrete changes the team owns, for example \u201cwe answer every "
                "request from another department the same day, even if only to say when we'll look at "
                "it\u201d. Write them down in the team's own words. If you make a commitment on the commitments "
                "page, attach the Willingness module so that everyone works through it.",
                "After the meeting. Send a short note of what you heard and what you agreed. Come back to it in "
                "your regular team meetings; don't wait for the next survey. Notice and name the moments when "
                "someone goes out of their way for another department. When next quarter's results arrive, "
                "share them with the team, whatever they say.",
            ]
        ),
        "moments": L(
            [
                "Don't try to find out who gave a low rating. Answers are anonymous, and guessing destroys the "
                "trust the survey depends on.",
                "Don't open with excuses about the other departments. Their experience is the information.",
                "Don't treat the results as HR's business. Your team's results are yours to discuss.",
                "Don't promise changes you can't deliver: one kept promise beats five forgotten ones.",
                "Don't hold the meeting by email. People need to be heard, not informed.",
                "Don't skip your own management figure because it is uncomfortable.",
            ]
        ),
        "self_check": L(
            [
                "Did I talk for less than half the meeting?",
                "Did the team name the obstacles, or did I?",
                "Is the change we agreed something other departments will notice within a month?",
                "Did I acknowledge my own part in the management figure?",
                "When will I next come back to this with the team?",
            ]
        ),
    },
    # ---- Ownership --------------------------------------------------------------------------------
    {
        "slug": "ownership",
        "dimension": "ownership",
        "kind": "module",
        "title": "Ownership: never \u201cthat's not my job\u201d",
        "summary": (
            "The first person who hears a request owns it until it is solved or properly handed over. What that "
            "looks like, and the sentence that breaks the chain."
        ),
        "body": P(
            [
                "\u201cThat's not my job\u201d is the most damaging sentence in any organisation. It is rarely "
                "said in those words. More often it sounds like \u201cyou'll have to ask IT\u201d, "
                "\u201cthat's a Finance thing\u201d or a forwarded email with no note. Each version sends a "
                "colleague back to the start, alone, with their problem unsolved. Every quarter our internal "
                "customers are asked whether they ever hear it, and it shows in their answers when they do.",
                "Ownership means: if a request reaches you, it is yours until it is solved or safely in someone "
                "else's hands. You don't have to solve everything yourself. You do have to make sure it doesn't "
                "fall between two desks.",
                "What good looks like. You listen to the whole request before deciding whose it is. If you can "
                "solve it, you do. If you can't, you find out who can and make the introduction yourself: a call, "
                "a message that explains the problem so your colleague doesn't have to repeat it, or walking them "
                "over. You tell the person who asked who has it now and when to expect an answer. Then, a day or "
                "two later, you check that it happened. That last step is what turns a handover into ownership.",
                "When the process is the problem. Sometimes requests bounce because nobody owns the thing at all: "
                "the shared printer, the supplier who invoices two departments, the form that belongs to no one. "
                "When you notice a gap like that, tell your manager. Closing one recurring gap can remove dozens "
                "of \u201cnot my job\u201d moments a year.",
                "Ownership also means owning mistakes. When something we did went wrong for another department, "
                "the best answer is the shortest: \u201cThat was us. Here is what we're doing about it.\u201d It "
                "ends the argument and starts the fix.",
            ]
        ),
        "moments": L(
            [
                "A request arrives that belongs to another team, and you forward it without a word of explanation.",
                "You say \u201cyou'll need to speak to IT\u201d and leave your colleague to find the right person.",
                "A problem sits between two departments, and each waits for the other to move.",
                "Someone rings the wrong number and you tell them to call the right one, instead of putting them "
                "through.",
                "The same question keeps landing on your desk, and nobody has ever fixed the cause.",
                "Something your team did caused a problem elsewhere, and your first reply explains why it wasn't "
                "really your fault.",
                "You hand a request over and never check whether it was picked up.",
            ]
        ),
        "self_check": L(
            [
                "When I can't solve something, do I hand it over myself, or give the person a name and wish them "
                "luck?",
                "Does the person I hand a request to get the whole story, so nobody has to tell it twice?",
                "Do I check that a handover actually landed?",
                "Which recurring problem around me belongs to nobody, and whom could I tell?",
                "When did I last say \u201cthat was us\u201d without adding \u201cbut\u201d?",
            ]
        ),
    },
    {
        "slug": "ownership-coaching",
        "dimension": "ownership",
        "kind": "coaching",
        "title": "Coaching guide: talking about ownership with your team",
        "summary": (
            "How to discuss your ownership ratings with your team: finding where requests bounce and agreeing who "
            "owns what, without hunting for culprits."
        ),
        "body": P(
            [
                "Ownership figures tell you how often your internal customers hear some version of \u201cthat's "
                "not my job\u201d from your team, and whether, when you can't solve something, you bring in who "
                "can. A low figure rarely means people don't care. It usually means requests reach the team that "
                "nobody is sure about, and everyone assumes someone else will pick them up. Your staff also rated "
                "their management on ownership: do you own their problems, or pass them up and down the line?",
                "Before the meeting. Look at which departments rated your ownership lowest and think about what "
                "they ask you for. Collect two or three real examples of requests that bounced, from your own "
                "inbox if you can: not to blame anyone, but to make the conversation concrete. Look at your "
                "management figure: when your staff bring you a problem you can't fix, do they hear back?",
                "In the meeting. Share the figures, then ask the team to tell the story of one request that went "
                "wrong: \u201cWhere did it come from? Where did it stop? What would have had to be "
                "different?\u201d Draw its path on a whiteboard. Ask which requests regularly reach the team "
                "that nobody feels are theirs, and agree a default owner for each, even if the answer is "
                "\u201cwhoever picks up the phone owns it until they have handed it over in person\u201d. Agree "
                "together what a good handover is: introduce, explain, confirm who has it, check back.",
                "If the management figure is the low one, own it in front of the team: \u201cYou told us that "
                "when you bring a problem to us, it doesn't always come back. Here is what I'll do.\u201d Then do "
                "it. Attach the Ownership module to your commitment, so that everyone shares the same words for "
                "it.",
                "After the meeting. Write down the owners you agreed and put them where the team sees them every "
                "day. Tell the departments you serve what changed, so they know whom to ask. In a month, ask the "
                "team which requests still bounce. Praise good handovers in public: otherwise they are invisible.",
            ]
        ),
        "moments": L(
            [
                "Don't look for the person who said \u201cnot my job\u201d. Look for the gap that made it possible.",
                "Don't answer a low figure with a longer list of rules. One clear owner beats ten procedures.",
                "Don't let \u201cthat's another department's problem\u201d close the discussion: the handover is "
                "still ours.",
                "Don't make yourself the owner of everything: ownership that all runs through you becomes a "
                "bottleneck.",
                "Don't wait for the next survey to find out whether it worked. Ask the departments you serve.",
            ]
        ),
        "self_check": L(
            [
                "Can everyone on my team name the owner of our three most common requests from other departments?",
                "Did we talk about the system rather than about individuals?",
                "When my staff bring me a problem I can't solve, do they hear back from me, and when?",
                "Have I told the departments we serve what we changed?",
            ]
        ),
    },
    # ---- Responsiveness ---------------------------------------------------------------------------
    {
        "slug": "responsiveness",
        "dimension": "responsiveness",
        "kind": "module",
        "title": "Responsiveness: the first reply matters most",
        "summary": (
            "Responding within the time a colleague needs, and saying honestly when you can't. How to be quick "
            "without dropping everything."
        ),
        "body": P(
            [
                "Responsiveness is about time: your colleague's time, not yours. The survey asks whether your "
                "department responds \u201cwithin the time I need\u201d. That isn't always fast. A request for "
                "next month's figures can wait a week; a customer on hold waiting for an answer from your team "
                "can't wait ten minutes. Being responsive starts with knowing which is which.",
                "Most delays are not about how long the work takes. They are about the silence before it starts. "
                "A colleague who sends a request and hears nothing for three days doesn't know whether you have "
                "seen it, are working on it or have forgotten it. So they chase, escalate or work around you. A "
                "quick first reply (\u201cGot it, you'll have it by Thursday\u201d) removes most of that cost, "
                "even when the work takes just as long.",
                "What good looks like. You acknowledge every request from another department on the same working "
                "day, even when you can't act on it yet. You ask when they need it, if they haven't said. You "
                "give a real time, not \u201casap\u201d or \u201csoon\u201d. If the time slips, you say so "
                "before they have to ask. Phone and chat messages get the same care as email. And when you are "
                "away, your out-of-office message names someone who covers for you, so requests don't wait for "
                "your return.",
                "Being responsive doesn't mean reacting to everything at once: constant interruption makes "
                "everyone slower. Teams that do this well agree how quickly they reply to different kinds of "
                "request, share the load so that one person isn't the bottleneck, and keep a shared inbox or list "
                "so that nothing depends on one person's memory.",
            ]
        ),
        "moments": L(
            [
                "A message from another department sits unread because it isn't urgent to you.",
                "You wait until you have the full answer before replying, and your colleague hears nothing for "
                "days.",
                "You promise \u201cas soon as possible\u201d instead of a time they can plan around.",
                "You go on leave, and requests to you wait silently until you are back.",
                "The phone rings on an empty desk next to you and you let it ring, because it isn't your phone.",
                "A request sits in the team's shared inbox and everyone assumes someone else has replied.",
            ]
        ),
        "self_check": L(
            [
                "How many requests from other departments are waiting for a first reply from me right now?",
                "Do I ask people when they actually need something?",
                "When a date slips, do I tell people before they have to chase me?",
                "Who covers for me when I'm away, and do the people who depend on me know?",
            ]
        ),
    },
    {
        "slug": "responsiveness-coaching",
        "dimension": "responsiveness",
        "kind": "coaching",
        "title": "Coaching guide: talking about responsiveness with your team",
        "summary": (
            "How to discuss response times with your team, so that you agree realistic promises and share the "
            "load instead of asking everyone to work faster."
        ),
        "body": P(
            [
                "Responsiveness figures often reflect workload and the way work arrives more than anyone's effort. "
                "A team can be working flat out and still be rated slow, because requests wait in one person's "
                "inbox or nobody sends the first reply. Your own staff rated their management too: when they need "
                "a decision, an approval or an answer from you, do they get it in time?",
                "Before the meeting. Look at which departments rated your responsiveness lowest and what they "
                "typically need from you. If you can, find out roughly how long a request waits for its first "
                "reply. Ask yourself honestly how long your own staff wait for your decisions, and how many are "
                "waiting now.",
                "In the meeting. Share the figures and ask: \u201cWhere do requests wait? Who gets the most? "
                "What happens when someone is away?\u201d Agree what the team promises, for example a first "
                "reply on the same working day and a real date for the answer. Look for the bottleneck (often one "
                "expert, one inbox or one approval) and agree how to share it: a shared mailbox, a rota, a second "
                "person trained. If people are stretched, say so openly: the answer may be to agree priorities "
                "with the departments you serve, not to promise more.",
                "If your management figure is low, ask the team which decisions they wait for and agree how you "
                "will answer: a daily slot, a deputy who can approve, a reply time you keep. Attach the "
                "Responsiveness module to your commitment.",
                "After the meeting. Tell the departments you serve what response they can now expect, and keep to "
                "it. After a few weeks, check whether the first-reply promise is holding. Thank the people who "
                "covered for absent colleagues.",
            ]
        ),
        "moments": L(
            [
                "Don't ask the team to \u201cjust be faster\u201d. Find out where the time goes.",
                "Don't make promises to other departments that only overtime can keep.",
                "Don't compare individuals' reply times in front of the team.",
                "Don't be the bottleneck you ask others to remove: clear your own approvals first.",
            ]
        ),
        "self_check": L(
            [
                "Do we know where requests wait longest?",
                "Is our reply promise realistic in a bad week, not only a good one?",
                "How long do my staff wait for my decisions?",
                "Have we told the departments we serve what to expect?",
            ]
        ),
    },
    # ---- Reliability ------------------------------------------------------------------------------
    {
        "slug": "reliability",
        "dimension": "reliability",
        "kind": "module",
        "title": "Reliability: do what you said, every time",
        "summary": (
            "Being someone colleagues can plan around: promising carefully, delivering consistently and saying "
            "early when something will slip."
        ),
        "body": P(
            [
                "Reliability is what lets other departments plan. When Sales promises a customer a delivery date, "
                "they are relying on Operations, Finance and IT to do what they said. One broken promise inside "
                "the company can become a broken promise to a customer outside it. The survey asks whether your "
                "department \u201cdoes what it promised, consistently\u201d, and consistently is the important "
                "word: brilliant one week and forgetful the next is harder to work with than steady.",
                "Reliability starts before the promise. Many broken promises were never possible: a date given to "
                "end an awkward conversation, a yes said without checking the diary. A reliable colleague "
                "promises a little less and delivers it every time.",
                "What good looks like. You write down what you have promised, to whom and by when, rather than "
                "trusting your memory. You only give dates you have checked. If something changes and you can't "
                "deliver, you say so as soon as you know, with a new date and what you will do in the meantime, "
                "not on the day it was due. You finish things properly: the last ten per cent (the follow-up "
                "email, the updated file, the room put back) is what people remember. And routine work doesn't "
                "depend on who is on shift: the team works the same way, so colleagues get the same result "
                "whoever they ask.",
                "Reliability is also made of small things: arriving at meetings on time, calling back when you "
                "said you would, sending the document you mentioned. Each is a small promise, and colleagues "
                "notice every one.",
            ]
        ),
        "moments": L(
            [
                "You say \u201cI'll get back to you\u201d, and nothing anywhere will remind you.",
                "You give a date to end the conversation, knowing it will be tight.",
                "You realise a deadline will slip and hope nobody notices until it has passed.",
                "You do most of the job and leave the last step for the other department to discover.",
                "The answer a colleague gets depends on which person in your team they ask.",
                "A promise made by a colleague who has since left becomes nobody's to keep.",
            ]
        ),
        "self_check": L(
            [
                "Could I list every open promise I have made to another department this week?",
                "When did I last warn someone early that I would be late?",
                "Do I give dates I have checked, or dates that sound good?",
                "Would a colleague get the same answer from anyone in my team?",
            ]
        ),
    },
    {
        "slug": "reliability-coaching",
        "dimension": "reliability",
        "kind": "coaching",
        "title": "Coaching guide: talking about reliability with your team",
        "summary": (
            "How to discuss reliability ratings: how the team makes, tracks and keeps its promises, including the "
            "ones you make to your own staff."
        ),
        "body": P(
            [
                "Low reliability figures mean other departments can't plan around you. The cause is usually in "
                "how promises are made and tracked, not in anyone's intentions: dates given without checking, "
                "promises held in one person's head, work that depends on who happens to be in. Your staff rated "
                "their management too: do you do what you promise them, whether it is the training, the rota "
                "change or the answer to their question?",
                "Before the meeting. Find out which departments rated your reliability lowest, and think of one "
                "or two recent promises your team didn't keep. Be just as honest about the promises you made to "
                "your own team last quarter, and which of them are still open.",
                "In the meeting. Share the figures and ask: \u201cWhen we miss a promise, what usually happened? "
                "Was the date realistic? Did we know it was slipping? Did we tell anyone?\u201d Agree a simple way "
                "to track what the team has promised other departments (a shared list is often enough) and a rule "
                "for bad news: if something will be late, we say so as soon as we know, with a new date. Talk "
                "about routine work too, and agree one way of doing the common tasks, so that the result doesn't "
                "depend on who does them.",
                "If the management figure is low, start with your own open promises: list them, say which you "
                "will keep and by when, and which you can't keep and why. Keeping one small promise to your team "
                "next week says more than any speech. Attach the Reliability module to your commitment.",
                "After the meeting. Send round what was agreed. Look at the shared list briefly in each team "
                "meeting. When you meet a date, let the department know; when you are going to miss one, give "
                "the early warning yourself, so the team sees how it is done.",
            ]
        ),
        "moments": L(
            [
                "Don't answer a low figure with more promises. Promise less, keep more.",
                "Don't blame other departments' deadlines without asking whether you agreed to them.",
                "Don't let promises live only in your head or in one person's inbox.",
                "Don't forget the promises you made to your own team last quarter.",
            ]
        ),
        "self_check": L(
            [
                "Which of my promises to my team from last quarter are still open?",
                "Do we have one place where our promises to other departments are written down?",
                "Did we agree what happens when a promise is going to slip?",
                "Which promise will I keep first this week?",
            ]
        ),
    },
    # ---- Courtesy ---------------------------------------------------------------------------------
    {
        "slug": "courtesy",
        "dimension": "courtesy",
        "kind": "module",
        "title": "Courtesy: care and respect, every time",
        "summary": (
            "How you treat a colleague is part of the service. What courtesy looks like on a busy day, and the "
            "small signs of indifference people remember."
        ),
        "body": P(
            [
                "People forget what you did long before they forget how you made them feel. A colleague who was "
                "treated with respect will forgive a delay; one who was treated with indifference remembers it "
                "even when the problem was solved. The survey asks whether your department treats people "
                "\u201cwith care and respect, never with indifference\u201d, and indifference is the word to "
                "watch. Rudeness is rare. Indifference is common, and it does almost as much damage.",
                "Indifference looks like eyes that stay on the screen while someone talks to you, a one-line "
                "reply to a long and worried message, a sigh, a tone that says \u201cthis again?\u201d. None of "
                "these is dramatic. Each one tells a colleague they are a nuisance, and makes them a little less "
                "willing to come to you early next time, when it would be easiest to help.",
                "What good looks like. You greet people and use their name. You stop what you are doing, or say "
                "when you will be free. You listen to the end before answering. You assume good intent: the "
                "colleague asking a question you have answered twice probably has a reason. You keep your tone "
                "under pressure, and in writing as well as face to face: a written message loses your smile, so "
                "add the words it would have said. You thank people, especially those whose work you depend on "
                "and rarely see. And you speak about other departments with the same respect when they are not "
                "in the room.",
                "Courtesy doesn't mean agreeing with everything. You can disagree, say no or point out a mistake "
                "with respect. The respect is in how you say it, and in showing that the person matters even when "
                "the answer is not the one they wanted.",
            ]
        ),
        "moments": L(
            [
                "Someone comes to your desk and you keep typing while they talk.",
                "You reply to a long, worried message with \u201csee attached\u201d.",
                "A colleague asks something you have explained before, and your tone makes sure they notice.",
                "You talk about another department as \u201cthem\u201d in a way you wouldn't say to their face.",
                "Someone from the cleaning or security team helps you, and you don't thank them.",
                "On a bad day, the next person who asks you for something gets your frustration.",
            ]
        ),
        "self_check": L(
            [
                "When someone interrupts me, do they feel welcome or tolerated?",
                "Would I be happy for the person to read how I described them, or their department?",
                "Do my written replies sound the way I would speak face to face?",
                "Whom do I rely on every day and have never thanked?",
            ]
        ),
    },
    {
        "slug": "courtesy-coaching",
        "dimension": "courtesy",
        "kind": "coaching",
        "title": "Coaching guide: talking about courtesy with your team",
        "summary": (
            "How to discuss courtesy ratings without making anyone feel accused: talking about pressure, tone and "
            "how the team speaks about other departments."
        ),
        "body": P(
            [
                "Courtesy figures are the most personal on the scorecard, so the conversation needs care. People "
                "tend to hear \u201cyou were rude\u201d when the figures say \u201cpeople sometimes felt we didn't "
                "care\u201d. Start from the idea that nobody comes to work to be unpleasant: low courtesy usually "
                "grows from pressure, from friction between departments or from habits nobody has noticed. Your "
                "staff rated their management too, and how you treat them on a hard day sets the tone for how "
                "they treat everyone else.",
                "Before the meeting. Look at which departments rated your courtesy lowest, and whether the gap to "
                "what they expected is large. Think about when your team is under the most pressure. Reflect on "
                "your own behaviour: how do you speak to your team when things go wrong, and how do you speak "
                "about other departments in front of them?",
                "In the meeting. Share the figures and make it safe: \u201cThis isn't about any one person. It's "
                "about how it feels to deal with us.\u201d Ask: \u201cWhen are we at our worst with other "
                "departments? What makes those moments hard?\u201d Talk about written messages, and how a short "
                "reply can read as cold. Talk about how the team speaks of other departments when they are not "
                "there: an \u201cus and them\u201d habit leaks into every conversation. Agree one or two habits, "
                "for instance \u201cwe always reply to another department in full sentences\u201d or \u201cwe "
                "greet anyone who comes to the desk within a minute, even when we're busy\u201d.",
                "If the management figure is low, ask what it is like to be on the receiving end of you on a bad "
                "day, and thank people for telling you. Then change one thing they will see. Attach the Courtesy "
                "module to your commitment.",
                "After the meeting. Keep to the habits you agreed, especially under pressure. When another "
                "department thanks your team, pass it on. Deal with any real case of disrespect privately and "
                "promptly, never in the team meeting.",
            ]
        ),
        "moments": L(
            [
                "Don't guess who was discourteous, or ask the team to own up.",
                "Don't defend the team by criticising the department that rated you.",
                "Don't lecture about manners; ask about the pressure behind them.",
                "Don't speak about other departments in a way you would ask your team not to.",
                "Don't raise one person's behaviour in front of the group.",
            ]
        ),
        "self_check": L(
            [
                "Did everyone leave the meeting feeling respected?",
                "Did we talk about situations rather than people?",
                "How do I speak about other departments in front of my team?",
                "What will my team see me do differently next week?",
            ]
        ),
    },
    # ---- Communication ----------------------------------------------------------------------------
    {
        "slug": "communication",
        "dimension": "communication",
        "kind": "module",
        "title": "Communication: keep people informed",
        "summary": (
            "Telling colleagues where things stand before they have to ask: progress, decisions, changes and the "
            "reasons behind them."
        ),
        "body": P(
            [
                "Communication is the dimension most departments overrate in themselves. You know where a request "
                "stands because you are working on it; the colleague who asked doesn't. From their side, silence "
                "looks exactly like nothing happening. The survey asks whether your department \u201ckeeps me "
                "informed of progress and decisions\u201d, and the people answering are often the ones who had "
                "to chase you.",
                "Good communication isn't more messages. It is the right message at the right moment: when you "
                "start, when something changes, when a decision is made and when you are done. And it includes "
                "the reason for a decision, not only the decision: people accept a no they understand far more "
                "easily than one they don't.",
                "What good looks like. When you take on a request, you say what happens next and when they will "
                "hear from you. If there is a delay or a change, you tell them before they notice. When your team "
                "decides something that affects another department (a new form, a new process, a new cut-off "
                "time), you tell them before it starts, explain why and say whom to ask. You write so that the "
                "reader understands the first time: the answer first, then the details, and none of your team's "
                "private abbreviations. And when the work is finished, you close the loop: \u201cDone. Here is "
                "what we did.\u201d",
                "Communication also runs across the company. If you learn something another department needs to "
                "know (a supplier is late, a system will be down, a customer is unhappy), you pass it on, even "
                "when it isn't strictly your job. Especially then.",
            ]
        ),
        "moments": L(
            [
                "Your team changes how it does something, and other departments find out when their request is "
                "turned down.",
                "A request is waiting on someone else, and you don't tell the colleague who asked.",
                "You finish the work but never tell the person who asked that it is done.",
                "You give a decision without the reason, and your colleague hears only \u201cno\u201d.",
                "You hear news another department needs and assume someone else will tell them.",
                "Your reply is full of abbreviations only your team understands.",
            ]
        ),
        "self_check": L(
            [
                "Who is waiting to hear from me right now, and do they know when they will?",
                "When my team last changed a process, did the departments affected hear it from us first?",
                "Do I explain the why behind decisions, not only the what?",
                "Do I tell people when something is finished?",
            ]
        ),
    },
    {
        "slug": "communication-coaching",
        "dimension": "communication",
        "kind": "coaching",
        "title": "Coaching guide: talking about communication with your team",
        "summary": (
            "How to discuss communication ratings with your team: keeping the departments you serve informed, and "
            "keeping your own staff informed of the decisions that affect them."
        ),
        "body": P(
            [
                "Communication figures are about whether people know what is going on without having to chase. "
                "For the departments you serve, that means progress on their requests and news of changes that "
                "affect them. For your own staff, who rated their management too, it means hearing about "
                "decisions from you, early and with the reasons, rather than through rumour. Of the six "
                "dimensions, this is the one where managers most often think they do better than their staff "
                "say.",
                "Before the meeting. Look at which departments rated your communication lowest and think about "
                "what they wait to hear from you. List the changes your team made last quarter that affected "
                "other departments, and how each was announced. Then list the decisions that affected your own "
                "staff, and how they found out.",
                "In the meeting. Share the figures, including the gap between what people expected and what they "
                "got. Ask: \u201cWhen do other departments have to chase us? What news do we sit on? How do we "
                "tell people about changes?\u201d Agree the moments when the team always updates the person who "
                "asked: when the work starts, when it is delayed and when it is done. Agree how you announce "
                "changes to other departments: who tells them, how far ahead and where they can ask questions. "
                "Then ask the team directly how well you keep them informed, and what they would like to hear "
                "sooner.",
                "If your management figure is low, agree a simple rhythm: a weekly update, decisions shared with "
                "their reasons, and a place for questions. Attach the Communication module to your commitment.",
                "After the meeting. Send the summary within a day: it is the first test of what you agreed. Keep "
                "the rhythm you promised, busy weeks included. After a month, ask the departments you serve "
                "whether they feel better informed.",
            ]
        ),
        "moments": L(
            [
                "Don't answer a low figure with a newsletter nobody asked for. Ask what people need to know.",
                "Don't share decisions without their reasons.",
                "Don't let the meeting's summary be the last anyone hears of it.",
                "Don't assume your staff know something because the managers discussed it.",
            ]
        ),
        "self_check": L(
            [
                "Do my staff hear about decisions from me before they hear about them elsewhere?",
                "Did we agree when we update the people who ask us for things?",
                "Is the next change we make already planned to be announced in advance?",
                "Did I send the summary of this meeting?",
            ]
        ),
    },
]

DIMENSION_ORDER = ["willingness", "ownership", "responsiveness", "reliability", "courtesy", "communication"]


def _position(module: dict) -> int:
    # Dimensions in the survey's order; in each, the module for everyone before the coaching guide.
    return (DIMENSION_ORDER.index(module["dimension"]) + 1) * 10 + (module["kind"] == "coaching")


def create_modules(apps, schema_editor):
    TrainingModule = apps.get_model("actions", "TrainingModule")
    for module in MODULES:
        fields = {key: value for key, value in module.items() if key != "slug"}
        TrainingModule.objects.get_or_create(slug=module["slug"], defaults={**fields, "position": _position(module)})


def remove_modules(apps, schema_editor):
    TrainingModule = apps.get_model("actions", "TrainingModule")
    TrainingModule.objects.filter(slug__in=[module["slug"] for module in MODULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]

    operations = [migrations.RunPython(create_modules, remove_modules)]
