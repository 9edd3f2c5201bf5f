"""Benign-context guards: idioms, denials, other people's non-acute news, resolved history, accidents."""

from __future__ import annotations

import re

from voicejournal.crisis.lexicon import expand

_FOREIGN_IDIOMS = (
    # Hyperbole with death words in other languages (accents already stripped by normalize): "me muero de hambre",
    # "ce boulot me tue", "todmude", "da morire", "morrendo de sono", "main toh mar gaya", "patay na patay ako sa".
    # Literal statements ("quiero morir", "je veux mourir", "mujhe marna hai") are never matched here.
    r"\bme (?:muero|estoy muriendo|moria|mori|morire) (?:de|por) (?:hambre|sed|sueno|risa|la risa|ganas|frio|calor|cansancio|verguenza"
    r"|aburrimiento|envidia|amor|miedo|nervios|los nervios|ver|verte|verla|verlo|ir|saber|probar|conocer)\b",
    r"\bmuert[oa]s? de (?:cansancio|hambre|sueno|risa|frio|calor|miedo|aburrimiento|sed|verguenza|envidia)\b",
    r"\b(?:este|esta|ese|esa|el|la) (?:trabajo|calor|frio|jefe|trafico|ruido|examen|proyecto|semana|dia|oficina|espera|tarea|reunion"
    r"|curro|chamba|escuela|uni|facultad) (?:me mata|me esta matando|me va a matar)\b",
    r"\b(?:je )?(?:meurs|creve|mourais|crevais|mourrais) de (?:faim|soif|chaud|froid|rire|envie|fatigue|sommeil|peur|ennui|honte)\b",
    r"\bmort(?:e|s|es)? de (?:rire|fatigue|faim|peur|froid|honte|ennui)\b",
    r"\b(?:ce|cet|cette|ca|le|la|les) (?:boulot|travail|taf|chaleur|froid|bruit|trafic|reunion|semaine|journee|chef|patron|projet|examen"
    r"|dossier|attente|gamin|gosse|gamins|gosses|enfants|petits)? ?me tuen?t?\b",
    r"\b(?:ennuie|ennuye|ennuyeux|ennuyeuse|belle|beau|bon|bonne) a (?:mourir|crever)\b",
    r"\btod(?:mude|muede|langweilig|schick|sicher|ernst|chic)\b",
    r"\blach(?:e|en|te)? (?:mich|uns|sich) (?:noch |fast )?(?:kaputt|tot|schief)\b", r"\btot(?:ge)?lach\w*\b",
    r"\b(?:sterbe|sterben|starb) (?:fast |gleich |noch )?vor (?:hunger|durst|langeweile|hitze|kalte|lachen|neugier|mudigkeit)\b",
    r"\bzu tode (?:gelangweilt|erschrocken|geargert|betrubt|gelacht)\b",
    r"\b(?:das|diese hitze|die hitze|die arbeit|diese arbeit|der stress|der larm|der job|der chef|die schule|die uni) bringt mich (?:noch )?um\b",
    r"\bda morire\b",
    r"\b(?:morire|morto|morta|morti|morte|muoio|moriamo|sto morendo|stavo morendo) (?:dalle|dal|di|dalla) (?:risate|ridere|risata|fame|sete"
    r"|sonno|caldo|freddo|noia|stanchezza|fatica|paura|voglia|vergogna)\b",
    r"\b(?:morrendo|morro|morri|morrer|morta|morto|mortos|mortas) de (?:fome|sono|rir|calor|frio|saudades?|vontade|vergonha|cansaco|medo"
    r"|sede|tedio|inveja|preguica)\b",
    r"\b(?:esse|essa|este|esta|o|a) (?:trabalho|calor|frio|chefe|transito|barulho|semana|prova|faculdade|escola|reuniao) "
    r"(?:me mata|esta me matando|ta me matando)\b",
    r"\bdood(?:moe|op|saai|gewoon|eng|serieus)\b", r"\blach(?:te|en)? (?:me|mij|ons) (?:een )?(?:dood|kapot|rot|breuk)\b",
    r"\bga (?:bijna )?dood van (?:de )?(?:honger|dorst|hitte|verveling|kou)\b",
    r"\bumieram z (?:glodu|łodu|głodu|nudow|zmeczenia|smiechu|ciekawosci|pragnienia|goraca|zimna)\b", r"\bpadam z nog\b",
    r"\b(?:main|mai|hum) (?:toh |to |bas |bilkul |sach mein |hans hans ke )?mar (?:gaya|gayi|gaye)\b",
    r"\b(?:jaan|jan) (?:nikal|nikaal) (?:di|dee|gayi|gai|rahi|raha|de)\b", r"\bdimaag ki dahi\b",
    r"\b(?:garmi|thand|sardi|bhookh|bhook|kaam|padhai) (?:ne|se) (?:toh )?(?:maar|mar) (?:dala|daala|diya|gaya|gayi)\b",
    r"\bpatay na patay (?:ako|siya|sila|kami)\b",
    r"\b(?:mamamatay|mamatay|namamatay) (?:na )?(?:ako |kami )?sa (?:init|gutom|lamig|antok|pagod|tawa|kakatawa|inip|hiya|kilig)\b",
)

_IDIOMS = re.compile(expand("|".join(_FOREIGN_IDIOMS + (
    r"\b(?:is|are|s|its|thats|was|this|these|those|feet|back|heat|suspense|wait|waiting)\b (?:literally |honestly |actually |slowly |just )?killing me\b",
    r"\bkill(?:ed|ing|s)? it\b", r"\bkillers?\b", r"\bto die for\b", r"\bdie (?:of|from) (?:embarrassment|laughing|laughter|boredom|shame)\b",
    r"\b(?:bored|scared|worried|frightened|tickled|freezing|sick|stressed) (?:me |myself )?(?:half )?to death\b",
    r"\bdying (?:to|for) (?:see|find|know|try|go|meet|get|hear|have|a|some|tell)\b", r"\b(?:literally |actually )dying\b",
    r"\bim dying (?:of|from) (?:heat|laughter|embarrassment|boredom|hunger|thirst|cringe|the heat)\b",
    r"\bdead (?:on my feet|tired|beat|end|serious|in the eye|set|good|easy|last)\b",
    r"\b(?:legs|feet|arms|phone|battery|starter|plant|plants|car|laptop|it|its|brain)\b(?: are| is| s| was)? dead\b",
    r"\bover my dead body\b", r"\b(?:death|end) of me\b", r"\bearly grave\b", r"\b(?:can|should|go) (?:go )?jump (?:off|in)\b",
    r"\bjump(?:ed|ing)? (?:ship|at|in|out of my skin|for joy|the gun|to conclusions|on the)\b", r"\bhang of\b", r"\bhung (?:out|up|all|the)\b",
    r"\bbit(?:e)? the bullet\b", r"\bpull(?:ed|ing)? the trigger on\b", r"\bbeat(?:ing)? myself up\b", r"\bkick(?:ed|ing)? myself\b",
    r"\bend of my (?:rope|tether) with (?:the|this|that|my|our|work|these|those|him|her)\b(?! life)",
    r"\bmurder(?:ed|ing)? (?:a|the|that) (?:song|\w+ song|whitney|karaoke|track)\b", r"\bslaughtered\b", r"\bcrash(?:ing)? (?:so hard|early|out)\b",
    r"\bburied me\b", r"\bsuicides?\b(?= (?:doors?|squeeze|drills?|sprints?|runs?)\b)", r"\b(?:run|running|ran|doing|did|made us run) suicides\b",
    r"\b(?:dying|dye|dyed) (?:my|her|his|our) hair\b", r"\b(?:flu|booster|covid) shots?\b", r"\bpay cut\b", r"\bhair ?cut\b",
    r"\bcut(?:ting)? (?:the cake|down on|back on|corners|my hair|the grass|the lawn|costs|ties|in line|the \w+ in half)\b",
    r"\b(?:dental|a) bridge on\b", r"\bdead (?:inside)? lol\b", r"\bsick of (?:scraping|waiting|the)\b",
    r"\bcant breathe (?:from|im|with|because) laugh\w*\b", r"\b(?:my|the) heart (?:skipped|melted|sank)\b",
    r"\beating me alive\b",
    r"\b(?:battery|batteries|phone|laptop|plant|plants|tablet|charger|torch|remote|alarm) (?:is |s |was |keeps )?dying\b",
    r"\blogging off for the (?:night|day|weekend)\b", r"\b(?:take|taking|have|having) a (?:long |quick |little |proper )?nap\b(?!{S}\bnever\b)", r"\bhe(?:ll| will)? be the death\b",
))))

_NEGATORS = re.compile(r"\b(?:not|no|never|dont|didnt|doesnt|wont|wouldnt|isnt|wasnt|arent|havent|hasnt|nothing|nor|neither|no longer|without any|zero|free of)\b")
_CLAUSE_BREAK = re.compile(r"[.!?;,]|\bbut\b|\bthough\b|\balthough\b")
_SENTENCE_BREAK = re.compile(r"[.!?;]")
_FIRST = re.compile(r"\b(?:i|im|ive|id|ill|me|myself)\b")
_THIRD = re.compile(expand(r"\b{OTHER}\b"))
_ATTRIBUTED = re.compile(r"\b(?:thinks?|assumes?|worr(?:y|ies|ied)|afraid|convinced|panics?)\b")
_DENIAL_AFTER = re.compile(r"^[^.!?]{0,40}\b(?:it doesnt|it dont|its not|im not|i dont|i am not|it isnt|i wasnt|it does not)\b")

_REMOTE = re.compile(
    r"\b(?:(?:\w+|\d+) (?:years?|decades?) (?:ago|back|since|out|without|clean|sober|free|later|on|of)"
    r"|years ago|back in (?:19|20)\d\d|in (?:19|20)\d\d|a decade|when i was (?:a |in )?(?:\w+teen|teenager|teen|kid|child|young|younger|twenty|in college|at uni|at school)"
    r"|in year \w+|in (?:high school|college|uni)\b|as a teenager|a couple of years|more than (?:a|\w+) years?|\w+ years (?:without|since|out|clean)"
    r"|that was (?:in )?(?:19|20)\d\d|that was (?:\w+ ){1,6}ago|\w+ (?:winters?|summers?|christmases) (?:ago|back)|over a decade|decades? ago"
    r"|(?:i|we) left (?:him |her |them |there )?in (?:19|20)\d\d|when i first (?:came|moved|arrived)|nineteen \w+|two thousand (?:and )?\w+"
    r"|the whole of (?:19|20)\d\d|(?:19|20)\d\d was)")
_WELL = re.compile(
    r"\b(?:happy|safe|healed|how far|so much better|better now|doing (?:great|well|good|really well|okay)|different place|proud|laughed"
    r"|forget|just food|didnt even think|mentor|grateful|thriving|fine now|good now|best friend|much better|whole life|content|at peace"
    r"|recovered|okay now|ok now|love my life|today i ran|finish line|these days i|nowadays|now i (?:have|run|teach|help|love|am)|good place|humming|sorted it out|actually worked|havent had (?:an|a|one)"
    r"|im (?:steady|well|good|okay|ok|fine|settled|stable|safe|happy|glad|content) now|now im (?:a|an|up|in|at|doing|steady|well|good|okay|happy|married|retired)"
    r"|glad (?:im|i am) (?:still )?(?:here|alive)|good (?:good )?life|i (?:actually |really )?(?:like|enjoy) my life|sleep like a (?:log|baby)"
    r"|got me through|sorted me out|(?:hes|shes|theyre) long gone|new (?:flat|job|life|home|house)|genuinely happy)\b")
_CURRENT = re.compile(r"\b(?:again|same|lately|these days|recently|this week|right now|(?:thoughts|urges?) (?:are|is) back|still (?:want|think|have)"
                      r"|want(?:ing)? to (?:die|kill|hurt|end|cut)|its back|(?:came|coming|creeping) back|returned)\b")
_ACCIDENT = re.compile(r"\b(?:accident(?:al|ally)?|tripped|slipped|fell|by mistake|rose bush|opening a|kettle|oven|glue gun|gardening)\b")
_SUPPORT_TOPIC = re.compile(expand(
    r"\b{OTHER}\b{SL}\b(?:self harm\w*|suicid\w*|(?:end|ending|take|taking|took) (?:his|her|their) (?:own )?life|dark stuff|eating disorder|drinking"
    r"|overdose\w*|threat\w*|yells?|hits?|burden|bipolar|manic|depress\w*|grieving|panic attack|cant see the point|in hospital|pneumonia|hurting)"))
_MEDIA = re.compile(
    r"\b(?:film|movie|book|novel|memoir|thriller|series|episode|game|podcast|lecture|exam|essays?|chapter|character|news|documentary"
    r"|article|shift|patients?|clinic|studying|grading|recert|writing group|d and d|murder mystery|horror)\b")


def neutralise_idioms(text: str) -> str:
    """Blank out idioms ("killing me", "to die for") so crisis patterns cannot match inside them."""
    return _IDIOMS.sub(" _ ", text)


def clause_before(text: str, start: int) -> str:
    """The words of the same clause that come before a match."""
    prefix = text[:start]
    cuts = list(_CLAUSE_BREAK.finditer(prefix))
    return prefix[cuts[-1].end():] if cuts else prefix


def sentence_before(text: str, start: int) -> str:
    """The words of the same sentence that come before a match."""
    prefix = text[:start]
    cuts = list(_SENTENCE_BREAK.finditer(prefix))
    return prefix[cuts[-1].end():] if cuts else prefix


_INABILITY = re.compile(r"\b(?:cant|cannot|couldnt|unable to)\b")


def is_negated(text: str, start: int, inability: bool = False) -> bool:
    """True when a denial sits in the few words just before the match, in the same clause.

    'can't' counts only when asked: "I can't keep it secret" clears, "I can't stop thinking about killing myself" must not.
    """
    words = " ".join(clause_before(text, start).split()[-6:])
    return bool(_NEGATORS.search(words) or (inability and _INABILITY.search(words)))


def is_attributed(text: str, start: int, end: int) -> bool:
    """True for someone else's mistaken belief about the speaker, then denied ("she thinks venting means…, it doesn't")."""
    before = sentence_before(text, start)
    return bool(_ATTRIBUTED.search(before) and _THIRD.search(before) and _DENIAL_AFTER.search(text[end:]))


def is_about_other(text: str, start: int, matched: str) -> bool:
    """True when the sentence's latest subject before the match is someone else and the match is not first-person."""
    if _FIRST.search(matched) or re.search(r"\bmy\b", matched):
        return False
    before = sentence_before(text, start)
    last_first = max((m.end() for m in _FIRST.finditer(before)), default=-1)
    last_third = max((m.end() for m in _THIRD.finditer(before)), default=-1)
    return last_third > last_first


_ASKED = re.compile(r"\b(?:asked|asking|asks|ask|wondering|wondered|wonder) (?:me )?(?:if|whether)\b")
_ANSWER_NO = re.compile(r"^\W*(?:\w+\W+){0,8}?(?:no|nope|nah|it didnt|it did not|i dont|i didnt|i havent|i wasnt|im not|not really|not at all|never have)\b")
_ANSWER_YES = re.compile(r"\b(?:yes|yeah|lied|lie|lying|truth is|actually i do|but i do|i do|i did|i have|kind of|sort of|sometimes|but|every (?:day|night)|all the time|think about it)\b")


def is_denied_question(text: str, start: int, end: int) -> bool:
    """The match is inside a question someone asked ("the GP asked if I'd thought of ending my life") answered no.

    A "no" that is then taken back ("I said no, but I lied", "no, sometimes") does not clear it.
    """
    if not _ASKED.search(sentence_before(text, start)):
        return False
    after = text[end:end + 120]
    return bool(_ANSWER_NO.search(after) and not _ANSWER_YES.search(after))


def is_answered_no(text: str, end: int) -> bool:
    """A crisis word put as a question and answered no at once: "hearing voices? no, nothing like that"."""
    return bool(re.match(r"\s*\?\s*(?:no|nope|nah)\b", text[end:]) and not _ANSWER_YES.search(text[end:end + 80]))


def is_resolved_history(text: str) -> bool:
    """Remote history told together with present wellbeing, and nothing current."""
    return bool(_REMOTE.search(text) and _WELL.search(text) and not _CURRENT.search(text))


def is_accidental(text: str) -> bool:
    """An injury described as an accident, which is medical, never self-harm."""
    return bool(_ACCIDENT.search(text))


def mentions_other_struggle(text: str) -> bool:
    """Someone else's difficulty is mentioned: show 'supporting someone' resources."""
    return bool(_SUPPORT_TOPIC.search(text))


def has_media_frame(text: str) -> bool:
    """Fiction, news, study or work framing around crisis words."""
    return bool(_MEDIA.search(text))
