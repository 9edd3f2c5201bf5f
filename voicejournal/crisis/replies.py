"""Screens the companion's own replies before they are spoken: anything unsafe is replaced and logged."""

from __future__ import annotations

import re
from functools import lru_cache

from voicejournal.crisis import guards
from voicejournal.crisis.lexicon import expand
from voicejournal.crisis.normalize import normalize
from voicejournal.types import ReplyVerdict

REPLY_RULES: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (name, re.compile("|".join(f"(?:{expand(p)})" for p in pats)), negatable) for name, negatable, pats in (
        ("method_info", True, (
            r"\b(?:quickest|fastest|most reliable|least painful|less painful|most effective|surest|easiest|most lethal|painless)\b{S}\b(?:way|ways|method|methods|bridge|building|if|one|than|option)\b",
            r"\b(?:tallest|highest|biggest)\b{S}\b(?:pick|choose|one|serious|go for|best)\b",
            r"\b(?:i can|i could|ill|let me|happy to|want me to|i will)\b{S}\b(?:look up|tell you|give you|suggest|go through|show you|list|help you (?:work out|figure out|find|plan|choose))\b{S}\b(?:how much|methods?|ways?|spots|places|tricks|hid\w*|when (?:hes|shes|he|she)|dose|pills|medication|it would take|reliable|which)\b",
            r"\btricks for hiding\b", r"\b(?:spots|places|areas)\b{S}\beasy to (?:keep )?(?:cover|hide)\b",
            r"\bhow much of your (?:medication|meds|pills) it would take\b", r"\b(?:lethal|fatal|deadly) (?:dose|amount)\b(?!{S}\b(?:call|emergency|poison))",
        )),
        ("encourages_harm", True, (
            r"\b(?:maybe|perhaps|honestly)\b{S}\b(?:better off if you|go(?:ne)? through with it|trust them|you should (?:do|hurt|end|cut)|you deserved?|needed that|its time to stop talking|just do it)\b",
            r"\b(?:had it coming|he deserves it|she deserves it|they deserve it)\b", r"\bdo what works for you\b",
            r"\b(?:your choice and i respect|dont need a hotline|dont need help|just do it)\b", r"\bpain is what (?:we|you) deserve\b",
            r"\b(?:goal weight|great discipline|so close to your goal)\b", r"\bwhatever you do to (?:him|her|them)\b",
            r"\b(?:you should|go ahead and|you could just)\s+(?:hurt|cut|kill|end|starve|punish)\b", r"\bgo through with it\b(?!{S}\b(?:dont|please|call))",
            r"\bif you(?:re| are) ready to end it\b",
        )),
        ("dismissive", True, (
            r"\bcheer up\b", r"\bsleep it off\b", r"\bprobably nothing\b", r"\b(?:its|its really|really) not a big deal\b", r"\bbeing (?:a bit )?dramatic\b",
            r"\bsuch a downer\b", r"\blets not talk about\b", r"\beveryone (?:says|feels|thinks) (?:they want to die|that)\b",
            r"\brough patch(?:es)?\b", r"\bcant be that bad\b", r"\banyway\W+(?:tell me|how was|what)\b", r"\bso,? what did you have\b",
            r"\bfun fact\b", r"\bfocus on the positives\b", r"\b(?:only|just) (?:\w+ ){0,4}the once\b", r"\bafter a good nights sleep\b",
            r"\bwont fix anything\b", r"\bjust stress\b", r"\bsnap out of it\b", r"\bothers have it worse\b", r"\bget over it\b",
            r"\blots of people (?:cut|do that|feel)\b",
        )),
        ("promises_secrecy", True, (
            r"\b(?:never|wont|not) (?:tell|say a word|let anyone know)\b", r"\b(?:keep|kept) (?:this|it|that) (?:our )?(?:little )?(?:completely )?secret\b",
            r"\bbetween (?:us|the two of us|you and me)\b", r"\bsecret is safe\b", r"\bnobody (?:ever )?(?:has to|will|needs to) (?:know|find out)\b",
            r"\bwipe this conversation\b", r"\bour (?:little )?secret\b", r"\bdont have to tell (?:your|anyone)\b", r"\bno one (?:will|has to) (?:ever )?know\b",
        )),
        ("diagnosis_or_medication_advice", True, (
            r"\b(?:sounds like|you have|you(?:ve| have) got|thats|that is|its|classic) (?:classic |clearly |definitely )?(?:bipolar|borderline|bpd|adhd|ptsd|ocd|schizophrenia|psychosis|clinical depression|autism|personality disorder|anxiety disorder|an eating disorder)\b",
            r"\b(?:take|try|have) (?:an extra|another|one more|double|a couple of extra|more of)\b{S}\b(?:pill|pills|dose|tablet|tablets|sleeping)\b",
            r"\b(?:you can|you could|you should|just|probably)\s+(?:probably\s+)?(?:stop|quit|come off|skip|double)\s+(?:your|the|taking)\b", r"\bswitch you to\b",
            r"\b(?:xanax|valium|diazepam|lorazepam|klonopin|ambien|zopiclone|adderall|oxy\w*|codeine|tramadol)\b",
            r"\bdrinks? (?:will|would) help\b", r"\b(?:definitely|surely|certainly|obviously) (?:just )?(?:anxiety|stress|nothing|indigestion|a panic attack)\b",
            r"\bnothing to worry about\b", r"\bdont need to (?:see anyone|see a doctor|go to the (?:er|hospital|doctor|a and e))\b",
            r"\bpass on its own\b", r"\bone more wont hurt\b",
        )),
        ("romantic_or_sexual", True, (
            r"\bi love you\b", r"\bfalling for you\b", r"\b(?:my love|sweetheart|darling|babe|my dear)\b", r"\bkiss(?:ing|es)? you\b",
            r"\bin bed (?:next to|with) you\b", r"\bholding you\b", r"\bsexy\b", r"\bwhat youre wearing\b", r"\bif you were mine\b",
            r"\byoure the only one i\b", r"\bforget your (?:boyfriend|girlfriend|partner|husband|wife|ex)\b", r"\bill never leave you\b",
            r"\bjust about us\b", r"\byou have me\b", r"\bmore than anyone in your life\b",
        )),
        ("claims_human", True, (
            r"\bim not an ai\b", r"\bim (?:a )?real (?:person|human)\b", r"\bas a (?:licensed |registered |qualified )?(?:therapist|nurse|doctor|psychologist|counsell?or|psychiatrist)\b",
            r"\bim a (?:nurse|doctor|therapist|psychologist|human|person|counsell?or|psychiatrist)\b", r"\bive been through\b{S}\b(?:myself|too)\b",
            r"\bwhen i was your age\b", r"\bmy (?:mum|mom|dad|wife|husband|kids|son|daughter|boyfriend|girlfriend) (?:used to|always|said|told)\b",
            r"\b(?:ill|i will|i can|i could|let me)\s+(?:ring|call|phone|text|visit|swing by|come over|drop by|pop round|come round)\b",
            r"\b(?:in person|in the room with you|hear you breathing|right next to you|sitting beside you)\b", r"\bi know exactly how it feels\b",
            r"\bbelieve me,? ive\b",
        )),
        ("sensational", True, (
            r"\bheadlines\b", r"\bremembered forever\b", r"\bbecame legends\b", r"\bsomething romantic\b", r"\bbeautiful\b{S}\b(?:escape|death|way to go)\b",
            r"\bpeaceful escape\b", r"\b(?:dark and fascinating|so fascinating|thrilling|most shocking|tell me every detail|true crime)\b",
            r"\bcould (?:have )?be(?:en)? dead\b", r"\bcould have killed you\b", r"\bhorrifying\b", r"\boh my god\b", r"\bwhat it looked like\b",
            r"\bwhen you saw all the blood\b", r"\bmaybe thats your story\b",
        )),
    )
)

@lru_cache(maxsize=4096)
def screen_reply(raw: str) -> ReplyVerdict:
    """Screen one reply: the patterns first (they block on their own), then the learned layer.

    The learned layer is the fine-tuned reply model (reply_model.py, reply_model.onnx) when shipped; only when it is
    missing does the frozen MiniLM + numpy reply head (semantic.reply_unsafe_reason) run instead.
    """
    verdict = pattern_reply(raw)
    if not verdict.safe or not raw.strip():
        return verdict
    from voicejournal.crisis.reply_model import reply_model_reason

    reason = reply_model_reason(raw)
    if reason is None:
        from voicejournal.crisis.semantic import reply_unsafe_reason

        reason = reply_unsafe_reason(raw)
    return ReplyVerdict(False, reason) if reason else verdict


@lru_cache(maxsize=4096)
def pattern_reply(raw: str) -> ReplyVerdict:
    """Block a reply that gives method detail, encourages harm, dismisses, promises secrecy, diagnoses,
    flirts, claims to be human or sensationalises; everything else passes."""
    text = normalize(raw)
    for name, pattern, negatable in REPLY_RULES:
        pos = 0
        while (m := pattern.search(text, pos)) is not None:
            if negatable and guards.is_negated(text, m.start(), inability=True):
                pos = m.start() + 1
                continue
            return ReplyVerdict(False, name)
    return ReplyVerdict(True, "")
