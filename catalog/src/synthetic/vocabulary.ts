/**
 * Word lists for the synthetic catalog. Related classes share a family vocabulary on purpose
 * (books, video games, toys, furniture...), as the real catalog does, so that a text model
 * confuses them about as often as on the real data.
 */
export type Language = 'fr' | 'en' | 'de';

export interface Words {
  fr: readonly string[];
  en: readonly string[];
  de: readonly string[];
}

export interface ClassVocabulary {
  family: FamilyName;
  terms: Words;
  brands: readonly string[];
  /** How the designation usually ends: a reference code, an ISBN, a size, an issue number... */
  suffix: 'reference' | 'isbn' | 'size' | 'issue' | 'platform' | 'age';
}

export type FamilyName = 'books' | 'videoGames' | 'toys' | 'home' | 'outdoor' | 'baby' | 'office';

const split = (text: string): string[] => text.split('|');

function words(fr: string, en: string, de = ''): Words {
  return { fr: split(fr), en: split(en), de: de === '' ? split(en) : split(de) };
}

export const familyWords: Record<FamilyName, Words> = {
  books: words(
    'livre|roman|tome|édition|auteur|pages|broché|collection|volume|lecture|histoire|récit|poche|illustré|préface|chapitre|littérature|éditions',
    'book|novel|edition|author|paperback|volume|hardcover|reading|story|pages|illustrated|chapter|literature|publisher',
    'buch|roman|ausgabe|band|autor|taschenbuch|gebunden|seiten|geschichte|erzählung|verlag|auflage|illustriert|kapitel',
  ),
  videoGames: words(
    'jeu|console|manette|version|édition|collector|ps4|ps3|xbox|switch|nintendo|sony|pal|joueur|sauvegarde|écran|graphismes|niveaux',
    'game|console|controller|version|edition|collector|ps4|xbox|switch|nintendo|sony|pal|player|screen|levels|gaming',
  ),
  toys: words(
    'jouet|enfant|jeu|figurine|boîte|pièces|âge|garçon|fille|cadeau|ans|collection|personnage|aventure|univers|jouer|amusant',
    'toy|kids|game|figure|box|pieces|age|boy|girl|gift|years|collection|character|adventure|play|fun',
  ),
  home: words(
    'meuble|maison|décoration|bois|tissu|coton|salon|chambre|intérieur|design|moderne|scandinave|chêne|velours|métal|pièce|style',
    'furniture|home|decor|wood|fabric|cotton|living|room|bedroom|interior|design|modern|oak|velvet|metal|style',
  ),
  outdoor: words(
    'jardin|extérieur|eau|terrasse|entretien|pompe|pression|acier|résistant|étanche|installation|montage|pvc|arrosage',
    'garden|outdoor|water|patio|maintenance|pump|pressure|steel|resistant|waterproof|installation|assembly|pvc',
  ),
  baby: words(
    'bébé|naissance|mois|doux|enfant|nourrisson|coton|confort|sécurité|maternité|tout-petit',
    'baby|newborn|months|soft|infant|toddler|cotton|comfort|safety',
  ),
  office: words(
    'lot|pack|sachet|format|recharge|qualité|pratique|quotidien|maison|usage|boîte|paquet',
    'pack|bag|refill|quality|everyday|home|box|bundle',
  ),
};

export const classVocabularies: Record<number, ClassVocabulary> = {
  10: {
    family: 'books',
    suffix: 'isbn',
    brands: ['Gallimard', 'Folio', 'Flammarion', 'Rowohlt', 'Fischer', 'Penguin', 'Heyne', 'Reclam'],
    terms: words(
      'occasion|ancien|jaunissement|couverture|exemplaire|reliure|dédicace|bon état|usagé|rare|épuisé|originale|cartonné|1972|1985',
      'used|second-hand|vintage|former library|copy|worn|first edition|out of print|good condition|dust jacket|signed',
      'gebraucht|zustand|gut erhalten|antiquarisch|schutzumschlag|leben|welt|zeit|deutsch|erste|alte|menschen|krieg|liebe|jahre|die|der|und|über|eine',
    ),
  },
  2705: {
    family: 'books',
    suffix: 'isbn',
    brands: ['Hachette', 'Larousse', 'Albin Michel', 'Eyrolles', 'Dunod', 'Marabout', 'Robert Laffont'],
    terms: words(
      'neuf|parution|nouveauté|grand format|essai|guide|pratique|méthode|cuisine|recettes|développement personnel|biographie|témoignage|2019|2020',
      'new|release|guide|handbook|cookbook|recipes|self-help|biography|essay|bestseller',
      'neu|ratgeber|kochbuch|biografie|sachbuch',
    ),
  },
  2403: {
    family: 'books',
    suffix: 'reference',
    brands: ['Dargaud', 'Dupuis', 'Glénat', 'Casterman', 'Kana', 'Pika', 'Marvel'],
    terms: words(
      'lot de|bd|bande dessinée|mangas|série|intégrale|tomes|albums|comics|magazines|lot complet|numéros|astérix|tintin|one piece',
      'lot|bundle|comics|manga|series|complete set|albums|issues|job lot',
      'konvolut|comics|sammlung|hefte|serie',
    ),
  },
  2280: {
    family: 'books',
    suffix: 'issue',
    brands: ['Paris Match', 'Le Monde', 'Le Figaro', 'Télérama', "L'Illustration", 'Spirou', 'Historia'],
    terms: words(
      'revue|journal|magazine|numéro|hebdomadaire|mensuel|hors-série|spécial|actualité|quotidien|édition du|janvier|mars|1968|1975|supplément',
      'magazine|newspaper|issue|weekly|monthly|special|supplement|journal',
      'zeitschrift|zeitung|heft|ausgabe|jahrgang',
    ),
  },
  40: {
    family: 'videoGames',
    suffix: 'platform',
    brands: ['Ubisoft', 'Electronic Arts', 'Activision', 'Square Enix', 'Bandai Namco', 'Sega', 'Capcom'],
    terms: words(
      'jeu vidéo|pegi|aventure|action|course|sport|fifa|combat|rpg|plateforme|multijoueur|boîtier|notice|import|jap',
      'video game|pegi|adventure|action|racing|sports|fighting|rpg|platformer|multiplayer|case|manual',
    ),
  },
  50: {
    family: 'videoGames',
    suffix: 'platform',
    brands: ['Turtle Beach', 'Hori', 'Razer', 'Thrustmaster', 'Logitech', 'PowerA', 'Subsonic'],
    terms: words(
      'manette|câble|chargeur|support|housse|protection|adaptateur|casque|volant|station de charge|stick|batterie|skin|étui|micro',
      'controller|cable|charger|stand|cover|protective|adapter|headset|steering wheel|charging dock|thumb grips|case',
    ),
  },
  60: {
    family: 'videoGames',
    suffix: 'platform',
    brands: ['Sony', 'Nintendo', 'Microsoft', 'Sega', 'Atari'],
    terms: words(
      'console|pack|édition limitée|500 go|1 to|portable|bundle|gameboy|switch lite|ps vita|slim|pro|rétro|mini|classic',
      'console|bundle|limited edition|500gb|1tb|handheld|slim|pro|retro|mini|classic|system',
    ),
  },
  2462: {
    family: 'videoGames',
    suffix: 'platform',
    brands: ['Nintendo', 'Sega', 'Sony', 'Microsoft'],
    terms: words(
      'lot|jeux|occasion|rétro|cartouche|sans boîte|complet|loose|megadrive|super nintendo|n64|gamecube|testé|fonctionne|bon état',
      'lot|games|used|retro|cartridge|loose|complete|tested|working|bundle|job lot',
    ),
  },
  2905: {
    family: 'videoGames',
    suffix: 'platform',
    brands: ['Steam', 'Ubisoft Connect', 'Origin', 'Epic Games', 'GOG'],
    terms: words(
      'code|téléchargement|pc|clé|activation|dlc|digital|windows|steam|dématérialisé|envoi par email|extension|mac|compte|licence',
      'code|download|pc|key|activation|dlc|digital|windows|steam|expansion|licence|account',
    ),
  },
  1280: {
    family: 'toys',
    suffix: 'age',
    brands: ['Vtech', 'Fisher-Price', 'Playmobil', 'Lego', 'Mattel', 'Hasbro', 'Smoby', 'Janod'],
    terms: words(
      'peluche|poupée|doudou|éveil|musical|voiture|marionnette|déguisement|jouet en bois|dinette|cuisine enfant|garage|circuit|animaux|lumineux',
      'plush|doll|soft toy|musical|car|puppet|costume|wooden toy|play kitchen|garage|activity|light up',
    ),
  },
  1281: {
    family: 'toys',
    suffix: 'age',
    brands: ['Asmodee', 'Ravensburger', 'Hasbro Gaming', 'Gigamic', 'Iello', 'Days of Wonder'],
    terms: words(
      'jeu de société|cartes|plateau|dés|joueurs|stratégie|famille|puzzle|ambiance|extension|règles|partie|monopoly|dixit|catan',
      'board game|cards|dice|players|strategy|family|puzzle|party game|expansion|rules|jigsaw',
    ),
  },
  1300: {
    family: 'toys',
    suffix: 'reference',
    brands: ['DJI', 'Parrot', 'Syma', 'Traxxas', 'Revell', 'Tamiya', 'Hubsan', 'Graupner'],
    terms: words(
      'drone|modélisme|radiocommandé|rc|hélicoptère|maquette|échelle|1/18|1/10|lipo|quadricoptère|caméra|fpv|servo|moteur brushless',
      'drone|rc|remote control|helicopter|scale model|kit|quadcopter|camera|fpv|servo|brushless motor|lipo battery',
    ),
  },
  1302: {
    family: 'toys',
    suffix: 'age',
    brands: ['Decathlon', 'Hudora', 'Bestway', 'Intex', 'Oxelo', 'Sport-Thieme'],
    terms: words(
      'trampoline|balançoire|toboggan|gonflable|trottinette|ballon|cerf-volant|plein air|vélo|portique|bac à sable|raquettes|pétanque|filet|skateboard',
      'trampoline|swing|slide|inflatable|scooter|ball|kite|outdoor play|bike|sandpit|racket|net|skateboard',
    ),
  },
  1140: {
    family: 'toys',
    suffix: 'reference',
    brands: ['Funko', 'Bandai', 'Tamashii', 'Good Smile', 'Hot Toys', 'McFarlane'],
    terms: words(
      'figurine|pop|statuette|manga|dragon ball|marvel|star wars|résine|vinyl|goodies|porte-clés|mug|produit dérivé|série limitée|buste',
      'figure|pop|statue|anime|marvel|star wars|vinyl|collectible|keychain|mug|merchandise|limited|bust',
    ),
  },
  1180: {
    family: 'toys',
    suffix: 'reference',
    brands: ['Games Workshop', 'Citadel', 'Warhammer', 'Privateer Press', 'Reaper', 'Mantic'],
    terms: words(
      'warhammer|figurines|citadel|peinture|miniatures|jeu de rôle|donjons|dragons|40k|armée|escouade|socle|wargame|codex|space marines',
      'warhammer|miniatures|citadel|paint|tabletop|rpg|dungeons|dragons|40k|army|squad|base|wargame|codex',
    ),
  },
  1160: {
    family: 'toys',
    suffix: 'reference',
    brands: ['Pokémon', 'Yu-Gi-Oh', 'Magic', 'Panini', 'Topps', 'Konami'],
    terms: words(
      'carte|cartes|booster|holo|rare|vignettes|collection|reverse|ex|gx|vf|mint|deck|display|album panini',
      'card|cards|booster|holo|rare|stickers|reverse|mint|deck|trading card|display|foil',
    ),
  },
  1560: {
    family: 'home',
    suffix: 'size',
    brands: ['Ikea', 'Conforama', 'Maisons du Monde', 'Vente-unique', 'Bestmobilier', 'Habitat'],
    terms: words(
      'matelas|canapé|lit|table|chaise|armoire|commode|meuble tv|étagère|tête de lit|sommier|bureau|buffet|pouf|fauteuil',
      'mattress|sofa|bed|table|chair|wardrobe|dresser|tv stand|shelf|headboard|desk|sideboard|armchair',
    ),
  },
  2060: {
    family: 'home',
    suffix: 'size',
    brands: ['Atmosphera', 'Maisons du Monde', 'Philips', 'Lexon', 'Kare Design'],
    terms: words(
      'lampe|décoration murale|miroir|cadre|bougie|vase|luminaire|suspension|guirlande|led|sticker|horloge|tableau|applique|photophore',
      'lamp|wall decor|mirror|frame|candle|vase|light fixture|pendant|fairy lights|led|wall sticker|clock|canvas',
    ),
  },
  1920: {
    family: 'home',
    suffix: 'size',
    brands: ['Essix', 'Linvosges', 'Tradilinge', 'Blanc des Vosges', 'Dodo'],
    terms: words(
      'coussin|housse de couette|drap|rideau|plaid|taie|oreiller|nappe|serviette|parure|couette|drap housse|torchon|tapis de bain|linge',
      'cushion|duvet cover|sheet|curtain|throw|pillowcase|pillow|tablecloth|towel|bedding set|duvet|fitted sheet',
    ),
  },
  2582: {
    family: 'home',
    suffix: 'size',
    brands: ['Hespéride', 'Keter', 'Lafuma', 'Ozalide', 'Proloisirs', 'Jardiline'],
    terms: words(
      'salon de jardin|transat|parasol|hamac|chaise longue|table de jardin|bain de soleil|pergola|tonnelle|résine tressée|balcon|terrasse|abri|banc|aluminium',
      'garden furniture|sun lounger|parasol|hammock|deck chair|patio table|pergola|gazebo|rattan|bench|aluminium',
    ),
  },
  2583: {
    family: 'outdoor',
    suffix: 'size',
    brands: ['Intex', 'Bestway', 'Gré', 'Zodiac', 'Hayward', 'Dolphin', 'Kokido'],
    terms: words(
      'piscine|filtre|pompe|bâche|robot|chlore|spa|hors-sol|liner|skimmer|échelle|nettoyeur|cartouche|jacuzzi|traitement',
      'pool|filter|pump|cover|robot|chlorine|spa|above ground|liner|skimmer|ladder|cleaner|hot tub',
    ),
  },
  2585: {
    family: 'outdoor',
    suffix: 'reference',
    brands: ['Bosch', 'Makita', 'Black+Decker', 'Ryobi', 'Stanley', 'Gardena', 'Einhell'],
    terms: words(
      'perceuse|tournevis|outil|scie|clé|tondeuse|taille-haie|tuyau|visseuse|établi|ponceuse|meuleuse|sécateur|brouette|coffret',
      'drill|screwdriver|tool|saw|wrench|lawn mower|hedge trimmer|hose|sander|grinder|toolbox|wheelbarrow',
    ),
  },
  1320: {
    family: 'baby',
    suffix: 'reference',
    brands: ['Chicco', 'Bébé Confort', 'Babymoov', 'Tommee Tippee', 'Avent', 'Red Castle'],
    terms: words(
      'poussette|biberon|siège auto|tétine|lit parapluie|chaise haute|porte-bébé|table à langer|gigoteuse|babyphone|bavoir|transat bébé|tapis d éveil|turbulette|sac à langer',
      'stroller|bottle|car seat|pacifier|travel cot|high chair|baby carrier|changing table|sleeping bag|baby monitor|bib',
    ),
  },
  1301: {
    family: 'baby',
    suffix: 'size',
    brands: ['Winmau', 'Harrows', 'Unicorn', 'Buffalo', 'Petit Bateau'],
    terms: words(
      'chaussettes|chaussons|fléchettes|billard|baby-foot|queue|cible|bar|jeu de fléchettes|boules|tapis de billard|antidérapantes|pointes|flights|craie',
      'socks|booties|darts|billiards|pool cue|table football|dartboard|bar games|anti-slip|tips|flights|chalk',
    ),
  },
  2522: {
    family: 'office',
    suffix: 'reference',
    brands: ['Clairefontaine', 'Bic', 'Oxford', 'Exacompta', 'Stabilo', 'Pilot', 'Leitz'],
    terms: words(
      'cahier|stylo|agenda|classeur|carnet|papier|enveloppe|feutres|trousse|calendrier|bureau|ramette|surligneur|cartouche d encre|étiquettes',
      'notebook|pen|diary|binder|notepad|paper|envelope|markers|pencil case|calendar|office|highlighter|ink cartridge|labels',
    ),
  },
  2220: {
    family: 'office',
    suffix: 'size',
    brands: ['Royal Canin', 'Trixie', 'Zolux', 'Ferplast', 'Kerbl', 'Purina'],
    terms: words(
      'chien|chat|collier|laisse|croquettes|niche|litière|aquarium|arbre à chat|gamelle|harnais|griffoir|panier|rongeur|oiseaux',
      'dog|cat|collar|leash|kibble|kennel|litter|aquarium|cat tree|bowl|harness|scratcher|pet bed',
    ),
  },
  1940: {
    family: 'office',
    suffix: 'size',
    brands: ['Lavazza', 'Lindt', 'Kusmi Tea', 'Haribo', 'Ducros', 'Bonne Maman'],
    terms: words(
      'café|thé|chocolat|bonbons|épices|biscuits|bio|confiserie|miel|capsules|infusion|sucre|caramel|dosettes|grains',
      'coffee|tea|chocolate|sweets|spices|biscuits|organic|candy|honey|capsules|herbal tea|beans',
    ),
  },
};

/** Everyday words of each language: the filler of designations and descriptions. */
export const commonWords: Words = words(
  "pour|avec|sans|le|la|les|de|du|des|un|une|et|en|sur|très|haute|qualité|nouveau|ensemble|taille|couleur|noir|blanc|rouge|bleu|vert|gris|rose|grand|petit|original|officiel|idéal|facile|à|utiliser|matériau|résistant|dimensions|poids|livraison|rapide|garantie|produit|article|modèle|type|classique|léger|solide|durable|parfait|d'origine|l'été|l'intérieur|jusqu'à|n'est|disponible|plusieurs|coloris|convient|tous|vous|votre|notre|ce|cette|est|sont|peut|être|il|elle|aussi|plus|comme|tout|bien|par|au|aux|son|sa|ses|leur|dans|qui|que|nous|fabriqué|france|europe|inclus|fourni|ans",
  "for|with|without|the|a|and|of|in|on|high|quality|new|set|size|colour|black|white|red|blue|green|grey|pink|large|small|original|official|ideal|easy|to|use|material|durable|dimensions|weight|shipping|fast|warranty|product|item|model|style|classic|light|solid|perfect|available|colours|suitable|all|your|our|this|is|are|can|be|it's|don't|children's|made|included|years|great|from|by|it|you|we|will|more|very",
  'für|mit|ohne|der|die|das|und|von|in|auf|hohe|qualität|neu|set|größe|farbe|schwarz|weiß|rot|blau|grün|klein|groß|original|ideal|geschenk|einfach|material|maße|gewicht|versand|schnell|artikel|modell|stil|klassisch|modern|praktisch|leicht|perfekt|verfügbar|alle|ihr|unser|dieses|ist|sind|kann|sein|ein|eine|nicht|auch|wird|werden|sehr',
);

/** Openings of description sentences, per language. */
export const sentenceOpenings: Words = words(
  "Caractéristiques :|Description :|Idéal pour|Ce produit|Livré avec|Attention :|Contenu du colis :|Matière :|Nous vous proposons|Il s'agit d'un|Parfait pour",
  "Features:|Description:|Ideal for|This product|Comes with|Please note:|Package contents:|Material:|We offer|It's a|Perfect for",
  'Eigenschaften:|Beschreibung:|Ideal für|Dieses Produkt|Geliefert mit|Achtung:|Lieferumfang:|Material:|Wir bieten|Es ist ein|Perfekt für',
);
