"""Compact stop-word lists for the grouping engine, written for samling (not copied).

Each list holds the function words of one language plus the verbs and modals that every
recommendation uses ("should", "must", "skal", "doit") and so tell themes apart poorly.
Words are lower case, accents kept; the engine also compares them accent-folded.
The lists double as the evidence for guessing a text's language (see ``grouping_text``).
"""

from __future__ import annotations

_RAW: dict[str, str] = {
    "english": """
        a about above after again against all also am an and any are as at be because been
        before being below between both but by can could did do does doing down during each
        etc few for from further had has have having he her here hers him his how i if in
        into is it its itself just me more most my no nor not now of off on once only or other
        our ours out over own same she so some such than that the their theirs them then there
        these they this those through to too under until up very was we were what when where
        which while who whom why will with would you your yours e.g i.e eg ie per via within
        without upon among across towards toward
        should must need needs needed shall may might ought make makes making made ensure
        ensuring encourage introduce provide providing consider considered take taking given
        give use used using able way ways like well much many every also get getting
        create creating develop developing increase increasing reduce reducing improve
        improving support supporting promote promoting strengthen allow help set establish
        new more less better greater least possible including include includes
        """,
    "danish": """
        af alle allerede alt altid anden andet andre at bare begge blev blive bliver da de dem
        den denne dens der deres det dette dig din dine disse dit du efter eller en end er et
        fra for før gennem god han har hans have hende her hos hun hvad hvem hver hvilke hvis
        hvor hvordan hvorfor i ikke ind jeg jer kan kun kunne man mange med meget men mere mig
        min mine mit mod må måske ned noget nogle nu når og også om op os over på sig sin sine
        sit skal skulle som så sådan thi til ud under var vi vil ville vor vores være været
        bør burde skal skulle sikre sikres gøre gøres gør gjort lave laves give gives tage
        tages bruge bruges blandt samt via mellem inden uden ved hele flere mest
        oprette oprettes indføre indføres etablere etableres styrke styrkes fremme fremmes
        øge øges reducere reduceres mindske mindskes understøtte støtte støttes hjælpe
        forbedre forbedres udvikle udvikles nye ny nyt mere mindre bedre herunder
        """,
    "french": """
        a à afin ai aie au aux avec avoir ce ceci cela celle celles celui ces cet cette ceux
        chaque comme dans de des du donc dont elle elles en entre est et été être eu il ils
        je la le les leur leurs lui ma mais me même mes moi mon ne ni nos notre nous on ont
        ou où par pas peu plus pour qu que quel quelle quelles quels qui sa sans se ses si
        son sont sur ta te tes toi ton tous tout toute toutes très tu un une vos votre vous
        y c d j l m n s t qu etc lors ainsi aussi car cas doit doivent devra devront devrait
        faut falloir faire fait faites mettre mis place permettre permet assurer prévoir
        sein afin selon notamment également celui-ci plusieurs autre autres leurs
        créer création développer développement renforcer renforcement favoriser inciter
        réduire augmenter améliorer aider soutenir encourager rendre obliger imposer
        instaurer mise mettant proposer nouveau nouveaux nouvelle nouvelles moins meilleur
        ensemble toute dès ici partir vers cadre niveau terme
        """,
    "german": """
        aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei
        bin bis bist da damit dann das dass dein dem den der des dessen die dies diese diesem
        diesen dieser dieses doch dort du durch ein eine einem einen einer eines er es etwa
        für gegen hat hatte hier ich ihr ihre im in ins ist jede jeder jedes kann kein keine
        man mehr mit muss müssen nach nicht noch nur ob oder ohne sehr sein seine sich sie
        sind so soll sollen sollte sollten über um und uns unser unter vom von vor war wäre
        was weil wenn werden wie wir wird wo zu zum zur zwischen sowie bzw dabei dafür
        sicherstellen schaffen geben machen
        schaffen fördern stärken erhöhen verringern reduzieren verbessern unterstützen
        einführen entwickeln neue neuen mehr weniger besser
        """,
    "swedish": """
        alla allt att av blev bli blir de dem den denna deras dess det detta dig din dina
        ditt du efter eller en er ett från för ha hade han hans har henne hennes här hur i
        icke inom inte jag ju kan kunde man med mellan men mig min mina mitt mot mycket ni
        nu när någon något några och om oss på sig sin sina sitt ska skall skulle som så
        till under upp ut utan vad var vara varit vi vid vilka vilken vår våra bör måste
        """,
    "norwegian": """
        alle at av bare begge ble bli blir da de dem den denne der deres det dette din du
        eller en enn er et etter for fra før han hans har hennes her hos hun hva hvem hver
        hvis hvor hvordan i ikke inn jeg kan kunne man med meg men mer min mot må ned noe
        noen nå når og også om opp oss over på seg sin sitt skal skulle som så til under
        ut var vi vil ville vår være vært bør burde sikre
        """,
    "dutch": """
        aan al alle als bij dan dat de der deze die dit door een en er ge geen had heb hebben
        heeft het hier hij hoe hun ik in is ja je kan kon maar me meer men met mij mijn moet
        moeten na naar niet nog nu of om onder ons ook op over te tegen toch tot u uit van
        veel voor want was wat we wel werd wij wordt worden zal ze zei zelf zich zij zijn zo
        zonder zou zouden
        """,
    "spanish": """
        a al algo algunos ante antes como con contra cual cuando de del desde donde durante e
        el ella ellas ellos en entre era es esa esas ese eso esos esta estas este esto estos
        fue ha han hasta hay la las le les lo los más me mi muy nada ni no nos nuestra nuestro
        o os otra otro para pero poco por porque que quien se sea ser si sin sobre su sus
        también tanto te todo todos tu un una uno unos y ya debe deben debería hacer
        """,
    "italian": """
        a ad al alla alle agli ai anche che chi ci come con da dal dalla dei del della delle
        di dove e ed era essere fra gli ha hanno i il in io la le lei li lo loro ma mi nel
        nella nei non noi o per più quale quando quello questa questo se si sia sono su sua
        sue suo sul sulla tra tu tutti tutto un una uno vi deve devono dovrebbe fare
        """,
    "portuguese": """
        a ao aos as até com como da das de dem do dos e ela elas ele eles em entre era essa
        esse esta este eu foi há isso isto já lhe mais mas me mesmo muito na nas nem no nos
        não o os ou para pela pelo por qual quando que quem se sem ser seu seus sua suas
        também te tem um uma você deve devem fazer
        """,
}

STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) for lang, words in _RAW.items()
}
"""Stop words by Snowball language name."""
