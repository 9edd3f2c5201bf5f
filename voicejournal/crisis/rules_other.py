"""Signals about other people and the body: harm to others, abuse and danger, medical, psychosis."""

from __future__ import annotations

from voicejournal.crisis.lexicon import IM, C, R, Rule, rule

_FOREIGN_KILL = (r"(?:bringe? (?:ihn|sie|dich)(?: \w+){0,3} um|(?:lo|la|los|te) (?:voy a|vamos a|quiero) matar|(?:lo|la|te) mato"
                 r"|je vais (?:le|la|les|te) tuer|(?:vou|quero) (?:te |o |a )?matar|(?:lo|la|ti) ammazzo|(?:lo|la) uccido"
                 r"|ik (?:ga|wil) (?:hem|haar|je) (?:vermoorden|doodmaken)|zabije (?:go|ja|cie)|papatayin ko"
                 r"|(?:usko|use|tujhe) (?:maar|mar) (?:dalunga|daalunga|dunga|doonga|dungi|doongi))")
_FOREIGN_NOW = (r"(?:jetzt|heute nacht|heute abend|ahora|ahorita|esta noche|ce soir|maintenant|cette nuit|agora|hoje a noite|adesso"
                r"|stasera|stanotte|ngayon|mamaya|abhi|aaj raat|teraz|dzis wieczorem|vannacht|vanavond|nu meteen)")
_HURT = r"(?:kill|hurt|stab|shoot|strangle|beat|batter|punch|smash|run (?:him|her|them) over|break (?:his|her) (?:legs?|neck|face))"

HARM_OTHERS: tuple[Rule, ...] = (
    rule("hto_intrusive", "harm_to_others", C,
         r"\b(?:image|images|flash|flashes|thoughts?|pictur\w+|imagin\w+|fantasi\w+|visions?)\b{S}\b(?:stabbing|hurting|hitting|pushing|swerving into|strangling|smothering|drowning|kicking|punching|killing|shoving|throwing)\b",
         r"\bpicturing (?:him|her|them) getting\b", r"\bwhats coming to (?:him|her|them)\b", r"\bwhat id do to (?:him|her|them)\b",
         r"\b(?:wish|hope|hopes|hoping)\b{S}\b(?:would|gets?|got) (?:just )?(?:really )?(?:sick|hurt|ill|hit by|run over|cancer|in an accident|die|dies)\b",
         r"\b(?:scared|afraid|worried|terrified) (?:ill|i will|i might|id|that i(?:ll| will| might))\s+(?:snap|lose it|hurt|hit|lash out|do something)\b", r"\b(?:anger|temper|rage)\b{S}\b(?:out of (?:hand|control)|scares me|scaring me)\b",
         r"\bscared of (?:my (?:own )?temper|what i (?:might|could) do|myself around)\b", r"\blost my temper and (?:threw|hit|punched|broke|smashed|kicked)\b",
         r"\b(?:punched|kicked|smashed) (?:the|a) (?:wall|door|steering wheel|table|window)\b",
         r"\b(?:nearly|almost) (?:threw|hit|punched|slapped|smacked|hurt|attacked|swung at)\b", r"\bpressure cooker\b",
         r"\bimagining (?:kicking|smashing|hurting|punching)\b", self_only=False),
    rule("hto_wish", "harm_to_others", R,
         r"\b" + _FOREIGN_KILL + r"\b",
         r"\b(?:want|wanna|going|gonna|gunna|wanted|gonna really|really want)\s+(?:to\s+)?(?:really\s+)?" + _HURT + r"\s+(?!myself|me\b|my ?self){PERSON}",
         r"\bwant (?:him|her|them) (?:dead|in hospital|to suffer|to pay|hurt)\b", r"\b(?:hes|shes|theyre|he is|she is|they are) (?:going|gonna) to pay\b", r"\b(?:make|making) (?:him|her|them|my \w+) pay\b",
         r"\brunning (?:my \w+|him|her|them) over\b", r"\bi want (?:\w+ ){0,3}dead\b(?<!want to be dead)(?<!want me dead)",
         self_only=False),
    rule("hto_act", "harm_to_others", R,
         r"\bi (?:hit|slapped|smacked|punched|kicked|shoved|pushed|pinned|choked|strangled|attacked|beat|grabbed) {PERSON}\b(?! (?:up|with a (?:pillow|snowball)))",
         r"\bi (?:threw|chucked) (?:a |the |my )?\w+ at {PERSON}\b", r"\bi had (?:\w+ ){0,3}by the (?:throat|collar|neck|hair)\b",
         r"\b(?:slammed|threw|shoved|pushed) (?:him|her|them) (?:into|against)\b", r"\bpinned (?:\w+ ){0,2}against\b",
         self_only=False),
    rule("hto_imminent", "harm_to_others", IM,
         r"\b(?:put|slipped|poured|added) something (?:in|into) (?:his|her|their) (?:drink|food|tea|coffee|dinner)\b",
         r"\b(?:waiting|sitting|standing|hiding|parked)\b{SL}\b(?:with|got|have|holding) (?:the |a |my |his |her |their )?(?:\w+s )?{WEAPON}\b",
         r"\b(?:with|got|have|holding) (?:the |a |my |his |her |their )?(?:\w+s )?{WEAPON}\b{SL}\b(?:waiting|doorway|outside|for (?:him|her|them) to)\b",
         r"\b(?:knife|gun)\b{S}\b(?:ending this|end this|tonight)\b",
         r"\b(?:know|learned) when (?:hes|shes|he is|she is|theyre) (?:alone|home alone|on (?:his|her) own)\b",
         r"\b(?:going to|gonna|gunna)\s+" + _HURT + r"\b{S}\b(?:when (?:he|she|they) gets? home|tonight|tomorrow|at \w+|after)\b",
         r"\b(?:going to|gonna)\s+(?:drive into|run (?:him|her|them) (?:over|down)|confront (?:him|her|them) with)\b",
         r"\b(?:outside|at|near|by) (?:his|her|their|my \w+s) (?:house|flat|door|work|car|school|place|office)\b{S}\bwith (?:a|the|my|his|her) (?:\w+s )?{WEAPON}\b",
         r"\bwith (?:a|the|my) (?:\w+s )?{WEAPON}\b{S}\b(?:outside|at|near) (?:his|her|their|my \w+s) (?:house|flat|door|work|car|place)\b",
         r"\btomorrow\b{SL}\bgoing to get what (?:he|she|they) deserves?\b",
         r"(?:^|(?<=[.!?,] ))(?=[^.!?]*\b(?:gun|guns|rifle|shotgun|pistol|firearm|glock)\b)(?=[^.!?]*\b(?:school|class|work|the office|church|the mall|campus|practice|the party|assembly|the game)\b)"
         r"(?=[^.!?]*\b(?:settle (?:it|this|things|the score)|get (?:back at|even)|make (?:him|her|them|everyone) pay|teach (?:him|her|them) a lesson"
         r"|show (?:him|her|them|everyone)|waiting for (?:him|her|them|that|the|my)|wait for (?:him|her|them|that|the)|(?:theyll|they will|hell|shell) (?:see|regret|pay)"
         r"|deserves? (?:it|what)|nobody will (?:laugh|bully|mess)|shoot|kill|hurt)\b)"
         r"(?![^.!?]*\b(?:(?:nail|glue|staple|heat|water|nerf|spray|paintball|airsoft|toy|starting) guns?|gun (?:safety|show|range|club|license|licence))\b)",
         # the same threat in other languages: "bringe ihn um", "lo voy a matar", "je vais le tuer" (+ now / tonight)
         r"\b" + _FOREIGN_KILL + r"\b{S}\b" + _FOREIGN_NOW + r"\b|\b" + _FOREIGN_NOW + r"\b{S}\b" + _FOREIGN_KILL + r"\b",
         r"\bbringe? (?:ihn|sie|dich) (?:jetzt|heute nacht|heute abend|gleich|noch heute) um\b",
         r"\b(?:esta|est|ist|is|e|ele esta) (?:aqui|ici|la|hier|da|qui|dito)\b{S}\b{WEAPON}\b",
         r"\b(?:tiene|il a|elle a|er hat|sie hat|ele tem|ela tem|ha) (?:un|una|el|la|le|ein|eine|das|uma|a|il) {WEAPON}\b", self_only=False),
)

ABUSE: tuple[Rule, ...] = (
    rule("abuse_control", "abuse_danger", C,
         r"\b(?:wont|doesnt|dont|never) let me (?:have|see|go|leave|talk|use|wear|out|keep)\b",
         r"\b(?:takes|took|taken|taking|keeps|controls|hides|has) (?:my|all my) (?:car keys|keys|bank card|cards|money|phone|passport|wages|pay)\b",
         r"\breads? (?:all )?my (?:messages|texts|emails|diary)\b", r"\b(?:checks|tracks|monitors) my (?:phone|messages|location|texts)\b",
         r"\b(?:tells|calls|told) me im (?:useless|worthless|stupid|nothing|fat|ugly|crazy|pathetic)\b",
         r"\bpost my (?:private )?(?:photos|pictures|pics|nudes|videos)\b", r"\b(?:get|send) (?:us|me) sent away\b",
         r"\bbad influence so\b", r"\bchanged the (?:wifi )?password\b", r"\bpicks (?:out )?my clothes\b", r"\bgoes silent for days\b",
         r"\bscreams at (?:me|us)\b", r"\blet(?:s|ting) (?:himself|herself) in\b", r"\bcomments about my body\b",
         r"\b(?:controlling|coercive|isolat\w+ me)\b", r"\bapologising for everything\b", r"\bbedroom door off\b",
         r"\bfor my own good\b", r"\bcontrols (?:all )?(?:the |my |our )?(?:money|finances|everything|who i see|where i go)\b",
         r"\bhave to ask (?:him|her|them) (?:for|before|if i can)\b", r"\bwait on the step\b", r"\bown key\b", self_only=False),
    rule("abuse_violence", "abuse_danger", R,
         r"\b(?:he|she|they|hes|shes|partner|husband|wife|boyfriend|girlfriend|dad|mum|mom|brother|sister|ex|grandson|son|boyfriend)\b{S}\b(?:hit|hits|hitting|punched|punches|slapped|slaps|kicked|kicks|shoved|shoves|shoving|pushed|pushes|beat|beats|choked|chokes|strangled|strangles|smacked|bit|burned)\s+(?:me|my)\b",
         r"\bgrabbed me by the (?:throat|neck|hair)\b", r"\b(?:hands?|fingers) (?:around|round) my (?:neck|throat)\b",
         r"\b(?:throws|threw|chucks) (?:stuff|things|\w+) at me\b", r"\bmade me (?:do (?:stuff|things)|have sex)\b",
         r"\b(?:raped|assaulted|molested) me\b", r"\b(?:touched|touches) me\b{S}\b(?:didnt want|without)\b", r"\bsays i made (?:her|him) do it\b",
         r"\b(?:terrified|scared|afraid|frightened)\b{S}\b(?:come back|hurt me|kill me|find me)\b",
         r"\bbroke in\b", r"\b(?:threatened|threatens|threatening|says|said|keeps saying)\b{S}\b(?:to |hell |shell |hed |shed |hes going to |shes going to |he will |she will |theyll )?(?:kill|hurt|shoot|stab|beat|strangle) (?:me|us|my|the kids)\b", r"\b(?:not to|dont) tell (?:my|your) (?:parents|mum|mom|dad)\b", r"\b(?:our|a) (?:little )?secret\b{S}\b(?:he|she)\b",
         r"\bme pego\b", r"\bma frappee?\b", r"\bme frappe\b", r"\bme golpe(?:a|o)\b", r"\bme maltrata\b", r"\bme (?:bat|battait)\b",
         r"\bme (?:bateu|bate|batia|empurrou|deu um (?:tapa|soco))\b", r"\bmi (?:picchia|ha picchiat[oa]|ha dato uno schiaffo)\b",
         r"\b(?:er|sie) (?:schlagt|schlug) mich\b", r"\bhat mich (?:wieder )?geschlagen\b", r"\b(?:hij|zij) slaat (?:me|mij)\b", r"\bbije mnie\b",
         r"\b(?:mujhe|muje) (?:maar|mar|peet)(?:ta|ti|te) (?:hai|hain|he)\b", r"\b(?:sinasaktan|binubugbog|binugbog) (?:niya |nila )?ako\b",
         # credible fear for tonight, a threat of payback
         r"\b(?:scared|afraid|terrified|frightened) (?:to go home|of going home|to go back home)\b{SL}\b(?:he|she|hes|shes|him|her)\b",
         r"\b(?:he|she)\b{S}\b(?:texted|said|told me|messaged|warned|swore|keeps saying)\b{S}\b(?:ill|i will|im going to|youll|you will|youre going to|youre gonna) (?:regret|pay for|be sorry)\b",
         # grooming of a minor
         r"\bmature for (?:her|his|their) age\b", r"\b(?:tells|told|telling) (?:her|him|them) (?:its|it is|it was|to keep it) (?:their|our|a) (?:little )?secret\b",
         r"\b(?:asking|asks|asked|keeps asking) (?:my \w+ |her |him |them )?(?:for|to send) (?:photos|pictures|pics|nudes|selfies)\b{SL}\b(?:year old|niece|daughter|son|nephew|little|kid|child|school)\b"
         r"|\b(?:year old|niece|daughter|son|nephew|little sister|little brother|kid|child)\b{SL}\b(?:asking|asks|asked|keeps asking) (?:her|him|them) (?:for|to send) (?:photos|pictures|pics|nudes|selfies)\b",
         self_only=False),
    rule("abuse_now", "abuse_danger", IM,
         r"\blocked me in\b", r"\b(?:hes|shes|theyre|he is|she is)\b{S}\b(?:outside|at) (?:the |my )?(?:front |back |bedroom )?(?:door|window)\b",
         r"\btrying to (?:get|break|kick the door) in\b", r"\b(?:pushed|put|moved|dragged) (?:the |a )?(?:sofa|couch|chair|table|bed|wardrobe|dresser) (?:up )?(?:against|in front of) the door\b",
         r"\bim in the (?:wardrobe|closet|cupboard)\b", r"\b(?:typing|writing) this (?:under|from|in) the\b", r"\bsaid im next\b",
         r"\b(?:when|once) (?:he|she) comes back im (?:finished|dead|next)\b", r"\bcrash us\b",
         r"\b(?:threatening|threatened|threatens) me with a\b", r"\bamenazando\b{S}\b(?:cuchillo|pistola|arma)\b", r"\bme menace\b",
         r"\bright now\b{S}\bwatching my\b", r"\bwatching my (?:window|house|flat)\b", r"\brestraining order\b{S}\b(?:here|near|outside|right now)\b",
         r"\b(?:standing|stood)\b{S}\bbetween me and the\b", r"\b(?:wont|isnt) let(?:ting)? me (?:leave|out|go) (?:the|right now|tonight)\b",
         r"\b(?:hes|shes|he is|she is)\b{S}\b(?:with|has|holding|got) a {WEAPON}\b", r"\bsmashing every\w*\b",
         r"\b(?:hes|shes|theyre|he is|she is|they are|is)\s+(?:\w+ ){0,2}(?:hitting|beating|punching|kicking|strangling|choking|attacking|stabbing|hurting|dragging)\s+(?:her|him|them|me|my|his|their|the|a|our)\b",
         r"\bjust (?:threw|hit|punched|stabbed|shot|strangled|knocked)\b{SL}\b(?:still|screaming|crying|not moving|bleeding)\b",
         self_only=False),
)

MEDICAL: tuple[Rule, ...] = (
    rule("med_soon", "medical", C,
         r"\b(?:for|about|like|nearly|over|past|last) (?:a|two|three|four|five|six|several|a few|a couple of|\d+) (?:weeks|months)\b{S}\b(?:not (?:getting better|going away)|still|every)\b",
         r"\b(?:cough|coughing|headache|headaches|pain|bleeding|lump|rash|tired|exhausted|dizzy)\b{S}\b(?:for|every (?:morning|day|night)) (?:like )?(?:a|two|three|four|five|six|several|a few|a couple of|\d+) (?:weeks|months)\b",
         r"\b(?:mole|lump|bump)\b{S}\b(?:bigger|darker|growing|changed|new|bleeding)\b", r"\bblood when i (?:pee|poo|cough)\b",
         r"\bblood in my (?:pee|urine|stool|poo)\b", r"\blost (?:about |like )?\w+ (?:pounds|kilos|kg|stone) without trying\b",
         r"\binhaler\b{S}\b(?:faster|more than|running out|times a day)\b", r"\bheart\b{S}\b(?:flutter\w*|skip\w*|racing for no)\b",
         r"\bperiod\b{S}\b(?:really heavy|so heavy|for a month)\b", r"\b(?:exhausted|tired) and pale\b", r"\blook(?:s|ing)? grey\b",
         r"\bpainkillers (?:barely|dont|arent)\b",
         r"\b(?:swollen|swelling|lump|pain|aching|numb|numbness|tingling|bleeding|rash|cough|headaches?|dizzy|dizziness|fatigue|bloat\w*|itch\w*|sore)\b{S}\b(?:for|about|nearly|over) (?:a|two|three|four|five|six|several|a few|a couple of|\d+) (?:weeks|months)\b", self_only=True),
    rule("med_today", "medical", R,
         r"\bfever\b{S}\b(?:since|for|over|days|leaking|stiff neck|rash)\b", r"\b(?:ear|eye)s? (?:is |s )?(?:leaking|oozing|discharg)",
         r"\bsomething in my eye\b", r"\b(?:pus|infected|infection|abscess)\b{S}\b(?:swollen|hot|red|spreading|fever|throbbing)\b|\b(?:swollen|hot|red|spreading)\b{S}\b(?:pus|infected|infection)\b", r"\b(?:hives|rash|swell\w*)\b{S}\b(?:spread\w*|getting worse|all over)\b",
         r"\bred line (?:going )?up my\b", r"\b(?:bleach|cleaning product|antifreeze|something poisonous|weed killer)\b",
         r"\bblister\w*\b{S}\b(?:bigger than|big as|size of|the size)\b", r"\bcant put (?:any )?(?:weight|wait) on\b", r"\bwent pop\b",
         r"\b(?:deep|gaping) cut\b", r"\bneed(?:s)? stitches\b", r"\bnew (?:antibiotic|medication|meds|pills)\b{S}\b(?:rash|hives|swelling|spreading)\b",
         r"\b(?:poison control|poisoned)\b", r"\b(?:stiff neck|neck is stiff|neck\w* stiff)\b{SL}\b(?:headache|fever|light|rash)\b|\b(?:headache|fever)\b{SL}\b(?:stiff neck|neck is stiff|neck\w* stiff)\b", r"\bhit my head\b{S}\b(?:throwing up|vomit|sick|confused|dizzy)\b",
         # red flags for same-day care: less fetal movement, a dry child, a child's ingestion, a doubled dose
         r"\b(?:hardly|barely|havent|not|didnt|cant) (?:\w+ )?(?:felt|feel|feeling) (?:the |my )?baby (?:move|moving|kick)",
         r"\bbaby\w*\b{S}\b(?:moving|moved|kicking|kicked|movements?)\b{S}\b(?:less|hardly|barely|not as much|stopped)\b",
         r"\b(?:nappies|nappy|diapers?)\b{S}\b(?:dry|not wet|havent been wet)\b", r"\bcant keep anything down\b{S}\b(?:days|since|peeing|weak)\b",
         r"\b(?:toddler|baby|son|daughter|kid|little one|grandson|granddaughter|boy|girl|child)\b{S}\b(?:swallowed|licked|ate|eaten|drank|drunk|chewed|got into)\b{S}\b(?:dishwasher|detergent|washing|laundry|pods?|tablets?|pills|medicine|bleach|cleaner|magnets?|vape|nicotine)\b",
         r"\b(?:doubled up on|double dose of|took (?:his|her|my) (?:\w+ )?(?:tablets|pills|meds) twice)\b", self_only=False),
    rule("med_now", "medical", IM,
         r"\bcant (?:get|catch) (?:my|a) (?:breath|breathe)\b", r"\bcant breathe\b(?! (?:from|im|with|because im) laugh)",
         r"\b(?:struggling|hard|hurts) to breathe\b", r"\bnot breathing\b", r"\blips\b{S}\b(?:blue|grey|gray)\b",
         r"\b(?:throwing|threw|coughing|vomiting|puking) up blood\b", r"\b(?:pumping|spurting|gushing|pouring) (?:out )?blood\b",
         r"\bblood\b{S}\b(?:pumping|spurting|gushing|wont stop|keeps coming|everywhere|all over the)\b", r"\b(?:wont|cant|doesnt|isnt|wont ever) stop(?:ping)? bleeding\b|\bbleeding (?:wont|doesnt|isnt|will not) stop",
         r"\bchest (?:pain|hurts|pains)\b{S}\b(?:arm|jaw|breath|sweat\w*)\b", r"\b(?:face (?:is )?drooping|slurring|slurred)\b",
         r"\bcollapsed\b", r"\b(?:not|isnt|wont|cant get (?:him|her) to) (?:really )?(?:responding|waking up|wake up|respond)\b",
         r"\bunconscious\b", r"\b(?:cant|cannot|couldnt|can not) (?:wake|rouse) (?:him|her|them|my \w+)\b",
         r"\b(?:im|i am|i think im|think im|hes|shes|he is|she is|might be|could be) having a (?:stroke|heart attack|seizure|allergic reaction)\b",
         r"\bnumb\b{S}\b(?:words|speech|talk\w*|face|slur\w*)\b", r"\bwords (?:are |keep )?coming out wrong\b", r"\bworst headache of my life\b",
         r"\bbleeding (?:a lot|heavily|badly|so much|loads|really badly)\b", r"\b(?:lost|losing) a lot of blood\b", r"\b(?:fitting|seizure|convulsing|having a fit)\b", r"\b(?:button )?batter(?:y|ies)\b{S}\bswallow|\bswallowed\b{S}\bbatter(?:y|ies)\b",
         r"\bcant feel (?:his|her|my) (?:legs|arms|body)\b", r"\bstopped sweating\b",
         r"\b(?:headaches?|heater|boiler|fumes)\b{SL}\b(?:confused|drowsy|dizzy|sick)\b|\b(?:confused|drowsy)\b{SL}\b(?:heater|boiler|fumes|gas)\b",
         r"\bcarbon monoxide\b", r"\bgas leak\b", r"\b(?:gone|going|turned) (?:floppy|limp|blue|grey|gray)\b",
         r"\bthroat (?:is )?(?:closing|swelling)\b", r"\banaphyla\w*", r"\b(?:took|swallowed|taken|downed) (?:a|the|his|her) (?:whole )?(?:bottle|box|packet) of\b", r"\b(?:taken|took|swallowed|had|downed)\s+(?:about |like |around |over |maybe |nearly )?(?:\d{2,}|ten|twelve|fifteen|twenty|thirty|forty|fifty|sixty|a hundred|loads of|lots of|a lot of|a load of|too many|all my|all of my|all the|a handful of|a whole (?:\w+ )?of)\s+(?:my |the |of my )?(?:pills|tablets|paracetamol|painkillers|sleeping pills|meds|antidepressants|capsules|ibuprofen|insulin)\b",
         r"\b(?:overdosed|overdosing|overdose)\b{S}\b(?:not|isnt|now|wont|cant)\b", r"\bpass(?:ing)? out\b{S}\bblood\b|\bblood\b{S}\b(?:feel faint|pass out|passing out)\b",
         r"\bheart\b{S}\bweird\b{S}\bpass out\b", self_only=False),
)

PSYCHOSIS: tuple[Rule, ...] = (
    rule("psy_insight", "psychosis", C,
         r"\b(?:hear|hearing|heard) (?:faint |quiet )?(?:music|voices|whispers|whispering|my name|someone)\b(?!{S}\b(?:through the|neighbours|choir|tv|radio is on|next door|fridge))",
         r"\b(?:messages|signs|signals|codes)\b{S}\b(?:for me|to me|meant for me|picked for me)\b", r"\b(?:picked|chosen|meant) for me\b",
         r"\bsending me (?:messages|signs|signals)\b", r"\bthoughts sound (?:out loud|like someone)\b",
         r"\bsee(?:ing)? (?:faces|shadows|people|things|figures)\b{S}\b(?:in the dark|that arent there|nobody else|at night)\b",
         r"\b(?:group chat|talking|plotting|laughing) about me\b", r"\b(?:tv|television|radio|songs?|adverts?|ads|news|billboards?|presenter)\b{S}\b(?:talking to me|speaking to me|about me|meant for me|messages? (?:for|to) me)\b",
         self_only=True),
    rule("psy_distress", "psychosis", R,
         r"\bvoices?\b{S}\b(?:tell|telling|told|say|says|said|wants?|keeps?|wont (?:stop|shut up)|saying|commanding|on at me)\b",
         r"\b(?:the|a) voice (?:that|in my head)\b", r"\b(?:whispering|talking|voices|people)\b{S}\bin the (?:walls|ceiling|vents|floor|seeling)\b",
         r"\b(?:know|knows) everything about me\b", r"\b(?:filming|watching|following|tracking|monitoring|spying on|recording) me (?:through|with|from|via)\b",
         r"\b(?:thoughts|mind)\b{S}\b(?:being |getting )?(?:pulled|taken|stolen|broadcast|controlled|inserted)\b",
         r"\b(?:agency|government|they|people|someone)\b{S}\b(?:testing|poisoning|after|controlling|experimenting on) me\b",
         r"\bpart of (?:it|the test|the plan|the conspiracy)\b", r"\breporting (?:where i go|on me|back)\b",
         r"\b(?:world|everything) (?:ends|is ending|will end)\b", r"\bonly one who knows\b", r"\btaped over (?:every|the|all)\b",
         r"\bmight be (?:poisoned|part of)\b", r"\b(?:hear|hearing|heard) (?:the )?(?:devil|god|demons?|satan|spirits?|angels?|dead people)\b",
         r"\b(?:devil|demons?|satan|god|spirits?|voices?)\b{S}\b(?:talking to me|speaks to me|speaking to me|tells me|telling me|says|say|said)\b",
         r"\b(?:voices?|it|they|god|devil|demons?)\b{S}\b(?:say|says|said|tell|tells|told|telling)\b{S}\b(?:i|me)\b{S}\b(?:have to|must|need to|should|has to)\b", r"\b(?:reading|stealing|hearing|listening to|broadcasting|controlling) my (?:thoughts|mind|brain)\b",
         r"\b(?:chip|implant|tracker|camera)s? in my (?:head|body|teeth|brain|arm)\b", self_only=True),
    rule("psy_act", "psychosis", IM,
         r"\b(?:get|drive|burn) the (?:demons|devil|evil|spirits) out\b", r"\b(?:burn|set fire to) (?:the|my|our) (?:house|flat|place|home)\b",
         r"\bthe (?:one|ones) (?:they|he|she) sent\b", r"\bprove (?:im|i am) (?:protected|chosen|immortal|worthy)\b",
         r"\b(?:telling|told|tells|says) me\b{SL}\b(?:has to|have to|must|need to)\b{SL}\b(?:now|hob|fire|burn|jump|eyes shut|keys|knife|doing it)\b",
         self_only=False),
)
